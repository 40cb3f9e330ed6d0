package raft.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import raft.message.EntryKind;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.PreVote;
import raft.message.PreVoteResponse;
import raft.message.RaftMessage;
import raft.message.ReadIndexRequest;
import raft.message.ReadIndexResponse;
import raft.message.TimeoutNow;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;
import raft.message.Snapshot;
import raft.message.WakeUp;
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
  private final RaftConfig cfg;
  /** The membership in force: changed only when a membership entry (or a snapshot) is applied, in {@link #advance}. */
  private Membership membership;
  /** The index of the entry (or snapshot) that brought {@link #membership}; 0 for the bootstrap membership. */
  private long membershipIndex;
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
  /** Role and leader last handed out in a Ready. */
  private SoftState lastSoftState;
  /** Reads released or dropped since the last Ready. */
  private final List<ReadState> readStates = new ArrayList<>();
  private final List<Long> droppedReads = new ArrayList<>();
  /** Reads forwarded to the leader and not answered yet: id and the tick they left at. */
  private final Map<Long, Long> forwardedReads = new LinkedHashMap<>();
  private long ticks;
  /** Started on storage that had a term: see {@link #inStartupLease}. */
  private final boolean restarted;
  /** Quiesced (see {@link RaftConfig#quiesceTicks}): no per-tick work until something wakes it. */
  private boolean quiesced;

  private RaftNode(PeerId self, Membership bootstrap, RaftConfig cfg, LogStorage storage, RandomGenerator random,
      RaftLogger logger) {
    this.self = self;
    this.cfg = cfg;
    // Rebuilt from what is durable: the snapshot's membership, else the bootstrap one; the
    // membership entries after the snapshot take effect again as the log is re-applied.
    Membership snap = storage.snapshotMeta().membership();
    this.membership = snap.isEmpty() ? bootstrap : snap;
    this.membershipIndex = snap.isEmpty() ? 0 : storage.snapshotMeta().index();
    this.storage = storage;
    this.random = random;
    this.logger = logger;
    this.log = new RaftLog(storage);
    HardState hs = storage.hardState();
    this.term = hs.term();
    this.votedFor = hs.votedFor();
    this.persistedHardState = hs;
    this.restarted = hs.term() > 0;
  }

  /**
   * Starts (or restarts) a peer from what {@code storage} holds: a fresh peer on empty storage,
   * or one that resumes its term, vote, log and snapshot after a crash. It starts as a follower.
   * {@code bootstrap} is the membership of a group whose log is empty; once the snapshot or the
   * log records a membership, that one is used instead. A peer that is not a voter of its
   * membership (a learner, or a peer started to be added) never campaigns.
   *
   * @throws IllegalArgumentException if the configuration is invalid or the bootstrap membership has no voter
   */
  public static RaftNode start(PeerId self, Membership bootstrap, RaftConfig cfg, LogStorage storage,
      RandomGenerator random, RaftLogger logger) {
    Objects.requireNonNull(self, "self");
    cfg.validate();
    if (bootstrap.voters().isEmpty()) throw new IllegalArgumentException("the bootstrap membership has no voter");
    RaftNode node = new RaftNode(self, bootstrap, cfg, storage, random, logger);
    node.becomeFollower(node.term, Optional.empty());
    node.lastSoftState = node.softState();
    logger.info(node.term, "{} started [{}, first index {}, last index {}, commit {}]", self, node.membership,
        node.log.firstIndex(), node.log.lastIndex(), node.log.committed());
    return node;
  }

  /**
   * Starts a peer of a group bootstrapped with these voters (no learners).
   *
   * @throws IllegalArgumentException if the configuration is invalid or self is not a voter
   */
  public static RaftNode start(PeerId self, Set<PeerId> voters, RaftConfig cfg, LogStorage storage,
      RandomGenerator random, RaftLogger logger) {
    if (!voters.contains(self)) throw new IllegalArgumentException("peer " + self + " is not among the voters " + voters);
    return start(self, Membership.ofVoters(voters), cfg, storage, random, logger);
  }

  // ---- inputs ---------------------------------------------------------------------------

  /**
   * One unit of logical time: drives election timeouts and heartbeats. A quiesced peer does nothing
   * (its caller may stop ticking it): its timers stand still until it wakes.
   */
  public void tick() {
    if (quiesced) return;
    ticks++;
    // A forwarded read whose answer was lost: drop it rather than keep its caller waiting.
    forwardedReads.entrySet().removeIf(e -> {
      if (ticks - e.getValue() < 2L * cfg.electionTicks()) return false;
      droppedReads.add(e.getKey());
      return true;
    });
    role.tick(this);
  }

  /** Handles a message from another peer. Messages not addressed to this peer are ignored. */
  public void step(RaftMessage m) {
    if (!self.equals(m.to())) return;
    if (quiesced) wakeOn(m);
    if (m instanceof RequestVoteResponse r) learnCommit(r.commitIndex(), r.commitTerm());
    else if (m instanceof PreVoteResponse r) learnCommit(r.commitIndex(), r.commitTerm());
    if (m.term() > term) {
      if (m instanceof RequestVote || m instanceof PreVote) {
        boolean transfer = m instanceof RequestVote v && v.leadershipTransfer();
        // Leader lease (thesis §4.2.3, etcd's inLease): while we hear from a leader, a higher-term
        // (pre-)vote is from a peer that was cut off or removed; ignore it rather than be deposed.
        if (!transfer && (inLease() || inStartupLease())) {
          logger.info(term, "{} ignored {}: leader {} was heard {} ticks ago", self, m,
              leader.isPresent() ? leader.get() : "?", electionElapsed);
          return;
        }
      }
      if (m instanceof PreVote || (m instanceof PreVoteResponse r && r.granted())) {
        // A pre-vote, or a grant of ours, carries the term someone would campaign at: no term change.
      } else {
        boolean fromLeader = FollowerRole.isFromLeader(m) || m instanceof TimeoutNow;
        logger.info(term, "{} received {} with higher term; becoming follower", self, m);
        int elapsed = electionElapsed;
        becomeFollower(m.term(), fromLeader ? Optional.of(m.from()) : Optional.empty());
        // Only hearing the leader or granting a vote restarts the election timer (§5.2). Restarting
        // it for a stale candidate we are about to reject would let such candidates keep the one
        // up-to-date peer from ever campaigning.
        if (!fromLeader) electionElapsed = elapsed;
      }
    } else if (m.term() < term) {
      answerStale(m);
      return;
    }
    if (m instanceof ReadIndexRequest r) {
      if (role instanceof LeaderRole l) l.readIndex(this, r.from(), r.id());
      else send(new ReadIndexResponse(term, self, r.from(), r.id(), 0, false));
      return;
    }
    if (m instanceof ReadIndexResponse r) {
      onReadIndexResponse(r);
      return;
    }
    role.step(this, m);
  }

  /** Proposes a command; the leader appends it and replicates it at once. */
  public ProposeResult propose(Bytes command) {
    wake("a proposal");
    if (role.kind() != RaftRole.LEADER) return new ProposeResult.NotLeader(leader);
    LeaderRole l = (LeaderRole) role;
    if (l.transferTarget().isPresent()) return new ProposeResult.TransferInProgress(l.transferTarget().get());
    if (l.leaving) return new ProposeResult.NotLeader(Optional.empty()); // removing itself: see LeaderRole.leaving
    if (command.size() > cfg.maxCommandBytes()) return new ProposeResult.TooLarge(command.size(), cfg.maxCommandBytes());
    long index = log.lastIndex() + 1;
    l.appendLocal(this, List.of(new LogEntry(index, term, command)));
    return new ProposeResult.Accepted(index, term);
  }

  /**
   * Asks for a linearizable read (etcd's ReadIndex): the answer comes in a later {@link Ready}, as
   * a {@link ReadState} with this {@code id} (serve the read once the state machine has applied up
   * to its index) or, if this peer cannot tell, {@code id} among {@link Ready#droppedReads()}.
   * A leader confirms its leadership with a heartbeat round (batched: all reads waiting when a
   * round starts ride it), once an entry of its term has committed; a follower forwards the read
   * to its leader. Dropped: no leader known, this peer lost leadership or changed term, or no
   * answer within two election timeouts. Ids are the caller's: distinct among its waiting reads.
   */
  public void readIndex(long id) {
    wake("a read");
    if (role instanceof LeaderRole l) {
      l.readIndex(this, self, id);
    } else if (role.kind() == RaftRole.FOLLOWER && leader.isPresent()) {
      forwardedReads.put(id, ticks);
      send(new ReadIndexRequest(term, self, leader.get(), id));
    } else {
      droppedReads.add(id);
    }
  }

  /**
   * A linearizable read served from the leader's lease (Raft thesis §6.4.1; needs
   * {@link RaftConfig.ReadLease} on): a leader that heard from a quorum answering a heartbeat it sent
   * less than {@link RaftConfig.ReadLease#leaseTicks} ticks ago releases it at once at its commit
   * index, without a heartbeat round; when the lease has lapsed, an entry of its term has not
   * committed yet, or a leadership transfer started this term, it waits for a round as
   * {@link #readIndex} does. A follower forwards it to the leader as a ReadIndex read. Its safety
   * rests on the clocks' rates staying within {@link RaftConfig.ReadLease#maxClockDrift}.
   *
   * @throws IllegalStateException if lease reads are not configured (never silently downgraded)
   */
  public void leaseRead(long id) {
    if (!cfg.readLease().enabled())
      throw new IllegalStateException("lease reads are not configured (RaftConfig.readLease is off)");
    wake("a lease read");
    if (role instanceof LeaderRole l) l.leaseRead(this, id);
    else readIndex(id);
  }

  private void onReadIndexResponse(ReadIndexResponse r) {
    if (forwardedReads.remove(r.id()) == null) return; // dropped meanwhile, or a duplicate
    if (r.granted()) readStates.add(new ReadState(r.id(), r.index()));
    else droppedReads.add(r.id());
  }

  void releaseRead(ReadState rs) {
    readStates.add(rs);
  }

  void dropRead(long id) {
    droppedReads.add(id);
  }

  /**
   * Proposes a membership change (etcd's ConfChangeV2): one entry if it changes at most one voter,
   * else joint consensus (an entry entering the joint configuration; once the leader applies it,
   * the leader itself proposes the entry that leaves it). The change takes effect on each peer when
   * that peer applies the entry, in {@link #advance}. Refused, changing nothing, with
   * {@link ProposeResult.MembershipRefused} (see {@link MembershipRefusal} for the rules).
   */
  public ProposeResult proposeMembership(List<MembershipChange> changes) {
    wake("a membership change");
    if (role.kind() != RaftRole.LEADER) return new ProposeResult.NotLeader(leader);
    LeaderRole l = (LeaderRole) role;
    if (l.transferTarget().isPresent()) return new ProposeResult.TransferInProgress(l.transferTarget().get());
    return MembershipChanges.propose(this, l, changes);
  }

  /**
   * Hands leadership to {@code target}, or to the most up-to-date other voter if empty (thesis
   * §3.10): the leader brings the target's log up to date, then sends it {@link TimeoutNow}, and
   * refuses proposals meanwhile; it gives up after an election timeout.
   */
  public TransferResult transferLeadership(Optional<PeerId> target) {
    wake("a leadership transfer");
    if (role.kind() != RaftRole.LEADER) return new TransferResult.NotLeader(leader);
    LeaderRole l = (LeaderRole) role;
    PeerId to;
    if (target.isPresent()) {
      to = target.get();
      if (to.equals(self)) return new TransferResult.Refused(TransferResult.Reason.ALREADY_LEADER, target);
      if (!membership.contains(to)) return new TransferResult.Refused(TransferResult.Reason.NOT_A_MEMBER, target);
      if (!membership.isVoter(to)) return new TransferResult.Refused(TransferResult.Reason.LEARNER, target);
    } else {
      Optional<PeerId> best = l.mostUpToDateVoter(this);
      if (best.isEmpty()) return new TransferResult.Refused(TransferResult.Reason.NO_OTHER_VOTER, target);
      to = best.get();
    }
    l.startTransfer(this, to);
    return new TransferResult.Started(to);
  }

  /**
   * The caller learned that {@code peer}'s process is unreachable or gone (Akka's failure detector,
   * cluster membership, DeathWatch). A quiesced peer wakes: a follower's election timer runs again
   * (and it asks the leader to resume heartbeats, in case the report was wrong: then the leader's
   * heartbeats keep it from campaigning), a leader heartbeats and counts its quorum again. This is
   * how a quiesced group notices a dead leader; on a peer that is not quiesced it does nothing.
   */
  public void peerUnreachable(PeerId peer) {
    if (quiesced && (membership.contains(peer) || leader.equals(Optional.of(peer)))) wake(peer + " unreachable");
  }

  /** Whether this peer is quiesced: it needs no ticks until a message, a call or {@link #peerUnreachable} wakes it. */
  public boolean isQuiesced() {
    return quiesced;
  }

  // ---- quiescence ----------------------------------------------------------------------------

  /**
   * A message for a quiesced peer. The answers to a quiesced leader's own heartbeats and the
   * leader's quiescing heartbeat leave it quiet; so does anything from a peer outside the
   * membership (a removed peer that keeps running would otherwise keep the group awake for good).
   * Anything else wakes it; a follower woken by someone other than its leader asks the leader to
   * resume heartbeats.
   */
  private void wakeOn(RaftMessage m) {
    if (!membership.contains(m.from())) return;
    if (role instanceof LeaderRole && m instanceof HeartbeatResponse && m.term() == term) return;
    if (m instanceof Heartbeat h && h.quiesce()) return;
    wake(m.describe(), !leader.equals(Optional.of(m.from())));
  }

  private void wake(String why) {
    wake(why, true);
  }

  private void wake(String why, boolean askLeader) {
    if (!quiesced) return;
    quiesced = false;
    logger.info(term, "{} woke from quiescence: {}", self, why);
    if (role instanceof LeaderRole l) l.woke(this);
    else if (askLeader && leader.isPresent()) send(new WakeUp(term, self, leader.get()));
  }

  /** The leader goes quiet (it sent its quiescing heartbeats). */
  void quiesceLeader() {
    quiesced = true;
  }

  /**
   * A follower got its leader's quiescing heartbeat: it quiesces if it holds exactly the log the
   * leader committed and waits for no forwarded read (a lost answer would never time out). Else it
   * asks the leader to stay awake.
   */
  void quiesceFollower(Heartbeat h) {
    if (!cfg.quiesce()) return;
    if (log.lastIndex() != h.commit() || log.committed() != h.commit() || !forwardedReads.isEmpty()) {
      logger.debug(term, "{} will not quiesce [last index {}, commit {}, leader commit {}, {} forwarded reads]", self,
          log.lastIndex(), log.committed(), h.commit(), forwardedReads.size());
      send(new WakeUp(term, self, h.from()));
      return;
    }
    if (!quiesced) logger.debug(term, "{} quiesced by {} at index {}", self, h.from(), h.commit());
    quiesced = true;
  }

  /** A woken leader starts a fresh check-quorum period: answers from before it slept prove nothing now. */
  void restartLeaderPeriod() {
    electionElapsed = 0;
  }

  // ---- output ---------------------------------------------------------------------------

  public boolean hasReady() {
    if (role instanceof LeaderRole l && l.hasPendingBroadcast()) return true;
    return !outbox.isEmpty() || !readStates.isEmpty() || !droppedReads.isEmpty() || log.hasUnstable() || log.hasNextCommitted() || termOrVoteChanged(currentHardState())
        || !softState().equals(lastSoftState);
  }

  private SoftState softState() {
    return new SoftState(role.kind(), leader);
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
    boolean sendBeforePersist = (role.kind() == RaftRole.LEADER
        || (role.kind() == RaftRole.FOLLOWER && cfg.unsafeRule() == RaftConfig.UnsafeRule.ACK_BEFORE_WRITE))
        && !termOrVoteChanged(hs);
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
    SoftState soft = softState();
    Optional<SoftState> softChange = soft.equals(lastSoftState) ? Optional.empty() : Optional.of(soft);
    lastSoftState = soft;
    List<ReadState> released = List.copyOf(readStates);
    List<Long> dropped = List.copyOf(droppedReads);
    readStates.clear();
    droppedReads.clear();
    return new Ready(hsToSave, entries, snapshot, committed, messages, sendBeforePersist, softChange, released, dropped);
  }

  /**
   * Confirms that everything in {@code rd} was persisted, sent and applied. This is where a
   * membership change takes effect (etcd's ApplyConfChange, done here so no caller can forget it):
   * when the snapshot carrying it or the committed entry holding it was handed to the service.
   */
  public void advance(Ready rd) {
    rd.snapshot().ifPresent(s -> {
      log.stableSnapshotTo(s.meta().index());
      log.appliedTo(s.meta().index());
      if (!s.meta().membership().isEmpty()) applyMembership(s.meta().membership(), s.meta().index());
    });
    if (!rd.entries().isEmpty()) {
      LogEntry last = rd.entries().get(rd.entries().size() - 1);
      log.stableTo(last.index(), last.term());
      if (role instanceof LeaderRole l) l.onStable(this);
    }
    if (!rd.committed().isEmpty()) {
      log.appliedTo(rd.committed().get(rd.committed().size() - 1).index());
      if (cfg.unsafeRule() != RaftConfig.UnsafeRule.CHANGE_ON_APPEND) {
        for (LogEntry e : rd.committed()) {
          if (e.kind() == EntryKind.CONF_CHANGE) applyMembership(Membership.decode(e.command()), e.index());
        }
      }
    }
    if (role instanceof LeaderRole l) l.maybeLeaveJoint(this);
  }

  /** The membership in force here (voters, learners, and the outgoing voters in joint consensus). */
  public Membership membership() {
    return membership;
  }

  /** The index of the entry or snapshot that brought {@link #membership()}; 0 for the bootstrap membership. */
  public long membershipIndex() {
    return membershipIndex;
  }

  /** The peer this leader is handing leadership to, if a transfer is running. */
  public Optional<PeerId> transferTarget() {
    return role instanceof LeaderRole l ? l.transferTarget() : Optional.empty();
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

  /** Voters of both halves of the membership but this peer: whom a candidate asks. */
  List<PeerId> otherVoters() {
    TreeSet<PeerId> vs = new TreeSet<>(membership.voters());
    vs.addAll(membership.outgoing());
    vs.remove(self);
    return List.copyOf(vs);
  }

  /** Every member but this peer: whom a leader replicates to. */
  List<PeerId> others() {
    return membership.members().stream().filter(p -> !p.equals(self)).toList();
  }

  /** Makes {@code m} the membership in force (applied at {@code index}); a leader adjusts its followers. */
  void applyMembership(Membership m, long index) {
    if (index < membershipIndex) return;
    boolean changed = !m.equals(membership);
    membership = m;
    membershipIndex = index;
    if (!changed) return;
    logger.info(term, "{} applied membership at {}: {}", self, index, m);
    if (role instanceof LeaderRole l) l.membershipChanged(this);
  }

  /** Whether this peer may campaign: a voter, and no applied-but-unknown membership change ahead of it. */
  boolean promotable() {
    return membership.isVoter(self);
  }

  /** A committed membership change not yet applied: campaigning now could use the wrong voters (etcd's hup check). */
  private boolean hasUnappliedMembership() {
    long from = Math.max(log.applied(), log.snapshotIndex()) + 1;
    if (log.committed() < from) return false;
    for (LogEntry e : log.entries(from, log.committed() + 1, Long.MAX_VALUE)) {
      if (e.kind() == EntryKind.CONF_CHANGE) return true;
    }
    return false;
  }

  /** The election timer fired or the leader sent TimeoutNow: campaign (after a pre-vote, unless transferred). */
  void hup(boolean transfer) {
    // A non-voter's timer keeps running (etcd's tickElection): past a timeout it is out of lease
    // and grants votes, which a group that just added it as a voter may need.
    if (!promotable()) return;
    if (hasUnappliedMembership()) {
      logger.info(term, "{} will not campaign: a committed membership change is not applied yet", self);
      resetElectionTimer();
      return;
    }
    if (cfg.preVote() && !transfer) becomePreCandidate();
    else becomeCandidate(transfer);
  }

  /**
   * Whether a higher-term (pre-)vote must be ignored (thesis §4.2.3: within the minimum election
   * timeout of hearing from a current leader, do not update the term or grant the vote): a peer
   * that hears a leader is not cut off from it, so the candidate is one that was (or one that was
   * removed and never learned it, which would otherwise depose every leader). Whatever the flags:
   * etcd ties this to check-quorum, which left a removed peer free to disrupt with both off.
   * A follower (or learner): it heard its leader within the base election timeout. A leader: it
   * heard from a quorum within its last whole check-quorum period. Its election counter only
   * cycles through that period and is no measure of hearing anyone, so "leader known and counter
   * below the timeout" would hold forever and keep a leader cut off from its group ignoring the
   * votes of the new one's term (with check-quorum on, such a leader steps down anyway).
   */
  private boolean inLease() {
    if (role instanceof LeaderRole l) return l.quorumHeard();
    return leader.isPresent() && electionElapsed < cfg.electionTicks();
  }

  /**
   * Lease reads on: a peer in its first election timeout since it restarted (it had a term) may have
   * answered a lease-serving leader's heartbeat just before it crashed, and forgot it; it keeps that lease.
   */
  private boolean inStartupLease() {
    return restarted && cfg.readLease().enabled() && ticks < cfg.electionTicks();
  }

  /** Leader: one tick of its check-quorum period; true once a whole election timeout has passed (and restarts it). */
  boolean leaderElectionPeriodOver() {
    if (++electionElapsed < cfg.electionTicks()) return false;
    electionElapsed = 0;
    return true;
  }

  void send(RaftMessage m) {
    outbox.add(m);
  }

  HardState currentHardState() {
    if (cfg.unsafeRule() == RaftConfig.UnsafeRule.VOTE_NOT_PERSISTED)
      return new HardState(term, persistedHardState.term() == term ? persistedHardState.votedFor() : Optional.empty(),
          log.committed());
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
    logger.debug(term, "{} became follower at term {} (leader {})", self, term,
        newLeader.isPresent() ? newLeader.get() : "unknown");
  }

  /** Asks for pre-votes at term + 1 without changing term or vote (thesis §9.6). */
  void becomePreCandidate() {
    reset(term);
    PreCandidateRole pre = new PreCandidateRole();
    role = pre;
    logger.info(term, "{} became pre-candidate at term {}", self, term);
    pre.campaign(this);
  }

  void becomeCandidate(boolean transfer) {
    reset(term + 1);
    votedFor = Optional.of(self);
    CandidateRole candidate = new CandidateRole(transfer);
    role = candidate;
    logger.info(term, "{} became candidate at term {}{}", self, term, transfer ? " (leadership transfer)" : "");
    candidate.campaign(this);
  }

  void becomeLeader() {
    reset(term);
    leader = Optional.of(self);
    LeaderRole leaderRole = new LeaderRole(this);
    role = leaderRole;
    logger.info(term, "{} became leader at term {} [last index {}, commit {}]", self, term, log.lastIndex(),
        log.committed());
    leaderRole.broadcastHeartbeat(this);
    // An entry of our own term, so that the entries of earlier terms commit without waiting for a
    // proposal (Figure 8 forbids committing them by counting), and so that a membership change can
    // tell when this term has committed something (thesis §4.1 bug fix, §6.4).
    if (cfg.noopOnElection()) leaderRole.appendLocal(this, List.of(LogEntry.noop(log.lastIndex() + 1, term)));
    leaderRole.handOverIfNotVoter(this);
  }

  void setLeader(PeerId id) {
    leader = Optional.of(id);
  }

  private void reset(long newTerm) {
    // No read waiting here may be released by the next role: it could not tell whether it is stale.
    if (role instanceof LeaderRole l) l.reads.dropAll(this);
    droppedReads.addAll(forwardedReads.keySet());
    forwardedReads.clear();
    if (newTerm != term) {
      term = newTerm;
      votedFor = Optional.empty();
    }
    leader = Optional.empty();
    quiesced = false;
    electionElapsed = 0;
    randomizedElectionTimeout = cfg.electionTicks() + random.nextInt(cfg.electionTicks());
  }

  /**
   * Answers a vote or pre-vote request of the current term, or a pre-vote for a later one (§5.2,
   * §5.4.1, §9.6). A pre-vote changes nothing here: no vote is recorded, no timer restarted.
   */
  void handleVoteRequest(RaftMessage m, long lastLogIndex, long lastLogTerm) {
    boolean pre = m instanceof PreVote;
    boolean canVote = votedFor.equals(Optional.of(m.from())) || (votedFor.isEmpty() && leader.isEmpty())
        || (pre && m.term() > term);
    Object vote = votedFor.isPresent() ? votedFor.get() : "none";
    if (canVote && (log.isUpToDate(lastLogIndex, lastLogTerm)
        || cfg.unsafeRule() == RaftConfig.UnsafeRule.VOTE_WITHOUT_LOG_CHECK)) {
      logger.info(term, "{} [logterm {}, index {}, vote {}] cast {} for {} [logterm {}, index {}] at term {}", self,
          log.lastTerm(), log.lastIndex(), vote, pre ? "pre-vote" : "vote",
          m.from(), lastLogTerm, lastLogIndex, m.term());
      if (pre) {
        send(new PreVoteResponse(m.term(), self, m.from(), true, log.committed(), commitTerm()));
      } else {
        votedFor = Optional.of(m.from());
        resetElectionTimer();
        send(new RequestVoteResponse(term, self, m.from(), true, log.committed(), commitTerm()));
      }
    } else {
      logger.info(term, "{} [logterm {}, index {}, vote {}] rejected {} at term {}", self, log.lastTerm(),
          log.lastIndex(), vote, m, term);
      send(pre ? new PreVoteResponse(term, self, m.from(), false, log.committed(), commitTerm())
          : new RequestVoteResponse(term, self, m.from(), false, log.committed(), commitTerm()));
    }
  }

  void handleVoteRequest(RaftMessage m) {
    if (m instanceof RequestVote r) handleVoteRequest(r, r.lastLogIndex(), r.lastLogTerm());
    else if (m instanceof PreVote p) handleVoteRequest(p, p.lastLogIndex(), p.lastLogTerm());
  }

  /**
   * A voter says entry {@code index} (of {@code term}) is committed. If our log holds that very
   * entry, Log Matching makes our log up to it the committed one (a fact of the group, whatever
   * the term of the message). A leader counts its own commits.
   */
  private void learnCommit(long index, long indexTerm) {
    if (role.kind() == RaftRole.LEADER || index <= log.committed() || !log.matchTerm(index, indexTerm)) return;
    logger.info(term, "{} learned from a vote answer that its log is committed up to {}", self, index);
    log.commitTo(index);
  }

  private long commitTerm() {
    long t = log.term(log.committed());
    return t == RaftLog.UNKNOWN_TERM ? 0 : t;
  }

  /** A message from an older term: tell requesters our term so a stale leader or candidate steps down. */
  private void answerStale(RaftMessage m) {
    if (!m.isRequest()) return;
    logger.debug(term, "{} ignored {} from an older term", self, m);
    if (m instanceof RequestVote) send(new RequestVoteResponse(term, self, m.from(), false, log.committed(), commitTerm()));
    else if (m instanceof PreVote) send(new PreVoteResponse(term, self, m.from(), false, log.committed(), commitTerm()));
    else if (m instanceof AppendEntries) send(AppendEntriesResponse.rejected(term, self, m.from(), 0, 0, 0));
    else if (m instanceof Heartbeat) send(new HeartbeatResponse(term, self, m.from()));
    else if (m instanceof InstallSnapshot) send(new InstallSnapshotResponse(term, self, m.from(), 0));
    else if (m instanceof ReadIndexRequest r) send(new ReadIndexResponse(term, self, m.from(), r.id(), 0, false));
  }
}
