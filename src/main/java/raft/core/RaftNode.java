package raft.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntries;
import raft.message.AppendEntriesResponse;
import raft.message.HardState;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.InstallSnapshot;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;
import raft.message.Snapshot;
import wire.Bytes;

/**
 * One Raft peer as a pure state machine (etcd's RawNode). Three inputs, one output:
 * {@link #tick()}, {@link #step(RaftMessage)} and {@link #propose(Bytes)} change state;
 * {@link #ready()} says what to persist, send and apply; {@link #advance(Ready)} confirms it was
 * done. No threads, clocks, randomness (beyond the injected generator) or I/O: the caller owns
 * all of those, so every run replays exactly from its inputs. Not thread-safe: one owner.
 */
public final class RaftNode {
  private final PeerId self;
  private final List<PeerId> voters;
  private final RaftConfig cfg;
  private final RandomGenerator random;
  private final RaftLogger logger;
  private final LogStorage storage;
  final RaftLog log;

  private long term;
  private Optional<PeerId> votedFor;
  private Optional<PeerId> leader = Optional.empty();
  private Role role;
  private int electionElapsed;
  private int randomizedElectionTimeout;
  private final List<RaftMessage> outbox = new ArrayList<>();
  /** The hard state last handed out for persisting. */
  private HardState persistedHardState;

  private RaftNode(PeerId self, Set<PeerId> voters, RaftConfig cfg, LogStorage storage, RandomGenerator random,
      RaftLogger logger) {
    this.self = self;
    this.voters = List.copyOf(new TreeSet<>(voters));
    this.cfg = cfg;
    this.storage = storage;
    this.random = random;
    this.logger = logger;
    this.log = new RaftLog(storage);
    HardState hs = storage.hardState();
    this.term = hs.term();
    this.votedFor = hs.votedFor();
    this.persistedHardState = hs;
  }

  /**
   * Starts (or restarts) a peer from what {@code storage} holds: a fresh peer on empty storage,
   * or one that resumes its term, vote, log and snapshot after a crash. It starts as a follower.
   *
   * @throws IllegalArgumentException if the configuration is invalid or self is not a voter
   */
  public static RaftNode start(PeerId self, Set<PeerId> voters, RaftConfig cfg, LogStorage storage,
      RandomGenerator random, RaftLogger logger) {
    Objects.requireNonNull(self, "self");
    cfg.validate();
    if (!voters.contains(self)) throw new IllegalArgumentException("peer " + self + " is not among the voters " + voters);
    RaftNode node = new RaftNode(self, voters, cfg, storage, random, logger);
    node.becomeFollower(node.term, Optional.empty());
    logger.info(node.term, self + " started [" + node.voters.size() + " voters, first index " + node.log.firstIndex()
        + ", last index " + node.log.lastIndex() + ", commit " + node.log.committed() + "]");
    return node;
  }

  // ---- inputs ---------------------------------------------------------------------------

  /** One unit of logical time: drives election timeouts and heartbeats. */
  public void tick() {
    role.tick(this);
  }

  /** Handles a message from another peer. Messages not addressed to this peer are ignored. */
  public void step(RaftMessage m) {
    if (!self.equals(m.to()) || !voters.contains(m.from())) return;
    if (m.term() > term) {
      boolean fromLeader = m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot;
      logger.info(term, self + " received " + m.describe() + " with higher term; becoming follower");
      int elapsed = electionElapsed;
      becomeFollower(m.term(), fromLeader ? Optional.of(m.from()) : Optional.empty());
      // Only hearing the leader or granting a vote restarts the election timer (§5.2). Restarting
      // it for a stale candidate we are about to reject would let such candidates keep the one
      // up-to-date peer from ever campaigning.
      if (!fromLeader) electionElapsed = elapsed;
    } else if (m.term() < term) {
      answerStale(m);
      return;
    }
    role.step(this, m);
  }

  /** Proposes a command; the leader appends it and replicates it at once. */
  public ProposeResult propose(Bytes command) {
    if (role.kind() != RaftRole.LEADER) return new ProposeResult.NotLeader(leader);
    if (command.size() > cfg.maxCommandBytes()) return new ProposeResult.TooLarge(command.size(), cfg.maxCommandBytes());
    long index = log.lastIndex() + 1;
    ((LeaderRole) role).appendLocal(this, List.of(new LogEntry(index, term, command)));
    return new ProposeResult.Accepted(index, term);
  }

  // ---- output ---------------------------------------------------------------------------

  public boolean hasReady() {
    if (role instanceof LeaderRole l && l.hasPendingBroadcast()) return true;
    return !outbox.isEmpty() || log.hasUnstable() || log.hasNextCommitted() || termOrVoteChanged(currentHardState());
  }

  /** Term and vote must be durable before we answer anyone; the commit index alone need not be. */
  private boolean termOrVoteChanged(HardState hs) {
    return hs.term() != persistedHardState.term() || !hs.votedFor().equals(persistedHardState.votedFor());
  }

  /** What to do now; hand it back to {@link #advance(Ready)} once done. */
  public Ready ready() {
    if (role instanceof LeaderRole l) l.flushBroadcast(this);
    HardState hs = currentHardState();
    // A leader whose term and vote are already on disk promises nothing about this write in what
    // it sends (appends, heartbeats, snapshots, refusals): they may leave while it writes. Every
    // message in the outbox is then its own, since becoming leader took a durable campaign.
    boolean sendBeforePersist = role.kind() == RaftRole.LEADER && !termOrVoteChanged(hs);
    List<LogEntry> entries = log.unstableEntries();
    Optional<Snapshot> snapshot = Optional.ofNullable(log.unstableSnapshot());
    Optional<HardState> hsToSave = Optional.empty();
    // The commit index rides along with any write, but never causes one on its own.
    if (termOrVoteChanged(hs) || ((!entries.isEmpty() || snapshot.isPresent()) && !hs.equals(persistedHardState))) {
      hsToSave = Optional.of(hs);
      persistedHardState = hs;
    }
    List<LogEntry> committed = log.takeNextCommitted();
    List<RaftMessage> messages = List.copyOf(outbox);
    outbox.clear();
    return new Ready(hsToSave, entries, snapshot, committed, messages, sendBeforePersist);
  }

  /** Confirms that everything in {@code rd} was persisted, sent and applied. */
  public void advance(Ready rd) {
    rd.snapshot().ifPresent(s -> {
      log.stableSnapshotTo(s.meta().index());
      log.appliedTo(s.meta().index());
    });
    if (!rd.entries().isEmpty()) {
      LogEntry last = rd.entries().get(rd.entries().size() - 1);
      log.stableTo(last.index(), last.term());
      if (role instanceof LeaderRole l) l.onStable(this);
    }
    if (!rd.committed().isEmpty()) log.appliedTo(rd.committed().get(rd.committed().size() - 1).index());
  }

  public RaftStatus status() {
    return new RaftStatus(self, role.kind(), term, leader, log.committed(), log.applied(), log.firstIndex(), log.lastIndex());
  }

  public PeerId id() {
    return self;
  }

  public long term() {
    return term;
  }

  public boolean isLeader() {
    return role.kind() == RaftRole.LEADER;
  }

  public Optional<PeerId> leader() {
    return leader;
  }

  // ---- shared by the roles --------------------------------------------------------------

  RaftConfig config() {
    return cfg;
  }

  RaftLogger logger() {
    return logger;
  }

  LogStorage storage() {
    return storage;
  }

  List<PeerId> voters() {
    return voters;
  }

  List<PeerId> others() {
    return voters.stream().filter(p -> !p.equals(self)).toList();
  }

  void send(RaftMessage m) {
    outbox.add(m);
  }

  HardState currentHardState() {
    return new HardState(term, votedFor, log.committed());
  }

  /** Election timer: true once a randomized timeout has passed without hearing from a leader. */
  boolean electionTimerFired() {
    return ++electionElapsed >= randomizedElectionTimeout;
  }

  void resetElectionTimer() {
    electionElapsed = 0;
  }

  void becomeFollower(long newTerm, Optional<PeerId> newLeader) {
    reset(newTerm);
    leader = newLeader;
    role = new FollowerRole();
    logger.debug(term, self + " became follower at term " + term + newLeader.map(l -> " (leader " + l + ")").orElse(""));
  }

  void becomeCandidate() {
    reset(term + 1);
    votedFor = Optional.of(self);
    CandidateRole candidate = new CandidateRole();
    role = candidate;
    logger.info(term, self + " became candidate at term " + term);
    candidate.campaign(this);
  }

  void becomeLeader() {
    reset(term);
    leader = Optional.of(self);
    LeaderRole leaderRole = new LeaderRole(this);
    role = leaderRole;
    logger.info(term, self + " became leader at term " + term + " [last index " + log.lastIndex() + ", commit "
        + log.committed() + "]");
    leaderRole.broadcastHeartbeat(this);
    // An entry of our own term, so that the entries of earlier terms commit without waiting for a
    // proposal (Figure 8 forbids committing them by counting), and so that a membership change can
    // tell when this term has committed something (thesis §4.1 bug fix, §6.4).
    if (cfg.noopOnElection()) leaderRole.appendLocal(this, List.of(LogEntry.noop(log.lastIndex() + 1, term)));
  }

  void setLeader(PeerId id) {
    leader = Optional.of(id);
  }

  private void reset(long newTerm) {
    if (newTerm != term) {
      term = newTerm;
      votedFor = Optional.empty();
    }
    leader = Optional.empty();
    electionElapsed = 0;
    randomizedElectionTimeout = cfg.electionTicks() + random.nextInt(cfg.electionTicks());
  }

  /** Answers a vote request of the current term (§5.2, §5.4.1). */
  void handleRequestVote(RequestVote m) {
    boolean canVote = votedFor.isEmpty() || votedFor.get().equals(m.from());
    if (canVote && (log.isUpToDate(m.lastLogIndex(), m.lastLogTerm())
        || cfg.unsafeRule() == RaftConfig.UnsafeRule.VOTE_WITHOUT_LOG_CHECK)) {
      votedFor = Optional.of(m.from());
      resetElectionTimer();
      logger.info(term, self + " [logterm " + log.lastTerm() + ", index " + log.lastIndex() + ", vote "
          + votedFor.get() + "] cast vote for " + m.from() + " [logterm " + m.lastLogTerm() + ", index "
          + m.lastLogIndex() + "] at term " + term);
      send(new RequestVoteResponse(term, self, m.from(), true));
    } else {
      logger.info(term, self + " [logterm " + log.lastTerm() + ", index " + log.lastIndex() + ", vote "
          + votedFor.map(PeerId::id).orElse("none") + "] rejected RequestVote from " + m.from() + " [logterm "
          + m.lastLogTerm() + ", index " + m.lastLogIndex() + "] at term " + term);
      send(new RequestVoteResponse(term, self, m.from(), false));
    }
  }

  /** A message from an older term: tell requesters our term so a stale leader or candidate steps down. */
  private void answerStale(RaftMessage m) {
    if (!m.isRequest()) return;
    logger.debug(term, self + " ignored " + m.describe() + " from an older term");
    if (m instanceof RequestVote) send(new RequestVoteResponse(term, self, m.from(), false));
    else if (m instanceof AppendEntries) send(AppendEntriesResponse.rejected(term, self, m.from(), 0, 0, 0));
    else if (m instanceof Heartbeat) send(new HeartbeatResponse(term, self, m.from()));
    else if (m instanceof InstallSnapshot) send(new InstallSnapshotResponse(term, self, m.from(), 0));
  }
}
