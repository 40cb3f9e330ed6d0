package raft.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntries;
import raft.message.AppendEntriesResponse;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.InstallSnapshot;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.PreVote;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.Snapshot;
import raft.message.TimeoutNow;

/**
 * The leader replicates its log to every follower, pipelining appends to those that keep up,
 * and commits an entry of its own term once a majority holds it (§5.3, §5.4.2).
 */
final class LeaderRole implements Role {
  private final Map<PeerId, Progress> progress = new LinkedHashMap<>();
  private int heartbeatElapsed;
  /** New entries were appended since the last broadcast; sent at the next ready() as one batch. */
  private boolean pendingBroadcast;
  /**
   * The index of the last membership entry this leader appended, or, from its election, its last
   * index then (an earlier leader's change may be in the tail); no new change while above the applied index.
   */
  long pendingConfIndex;
  /** The first index of this leader's term: a change waits until the commit index reaches it. */
  final long termStartIndex;
  private Optional<PeerId> transferTarget = Optional.empty();
  private int transferElapsed;
  /**
   * This leader proposed a membership without itself: it takes no more proposals, so its removal
   * is the last entry it appends and any voter that holds it has a log as up to date as its own
   * (else a crash of this peer could leave a remaining voter that never learned of the commit,
   * and needs this peer's vote, facing a longer log that refuses it forever).
   */
  boolean leaving;
  /** Linearizable reads waiting for this leader to confirm it still leads. */
  final ReadOnly reads = new ReadOnly();
  /** See {@link #quorumHeard()}. */
  private boolean quorumHeard = true;
  /** Quiescence: consecutive idle ticks, and the followers that answered in the second half of them. */
  private int idleTicks;
  private final Set<PeerId> heardWhileIdle = new HashSet<>();

  LeaderRole(RaftNode n) {
    for (PeerId p : n.others()) progress.put(p, newProgress(n));
    pendingConfIndex = n.log.lastIndex();
    termStartIndex = n.log.lastIndex() + 1;
  }

  private static Progress newProgress(RaftNode n) {
    Progress pr = new Progress(n.log.lastIndex() + 1, n.config().maxInflightAppends());
    pr.recentActive = true; // a new follower gets one check-quorum period to answer
    return pr;
  }

  Optional<PeerId> transferTarget() {
    return transferTarget;
  }

  /** The follower's progress (match index), or null if it is not a member. */
  Progress progress(PeerId p) {
    return progress.get(p);
  }

  @Override
  public RaftRole kind() {
    return RaftRole.LEADER;
  }

  boolean hasPendingBroadcast() {
    return pendingBroadcast || reads.hasUnstartedRound();
  }

  /** A linearizable read from this leader's caller or a follower ({@link RaftNode#readIndex}). */
  void readIndex(RaftNode n, PeerId from, long id) {
    reads.add(n, this, from, id);
  }

  /** A lease read ({@link RaftNode#leaseRead}): at once while the lease holds, else as {@link #readIndex}. */
  void leaseRead(RaftNode n, long id) {
    reads.addLease(n, this, n.id(), id);
  }

  /** Appends the leader's own new entries; they go out with the next ready(). */
  void appendLocal(RaftNode n, List<LogEntry> entries) {
    n.log.append(entries);
    pendingBroadcast = true;
  }

  /** Our own write came back: the entries count for us now (a single-voter group commits here). */
  void onStable(RaftNode n) {
    maybeCommit(n);
  }

  void flushBroadcast(RaftNode n) {
    if (reads.hasUnstartedRound()) {
      // One heartbeat round for every read that arrived since the last Ready.
      reads.startRound(n);
      broadcastHeartbeat(n);
    }
    if (!pendingBroadcast) return;
    pendingBroadcast = false;
    for (PeerId p : progress.keySet()) sendAppends(n, p);
  }

  @Override
  public void tick(RaftNode n) {
    reads.tick(n);
    if (transferTarget.isPresent() && ++transferElapsed >= n.config().electionTicks()) {
      n.logger().info(n.term(), "{} gave up transferring leadership to {} after an election timeout", n.id(),
          transferTarget.get());
      transferTarget = Optional.empty();
      if (!n.membership().isVoter(n.id())) handOver(n);
    }
    if (n.leaderElectionPeriodOver()) {
      // Counted whatever the flags: the lease (RaftNode.inLease) needs it even with check-quorum off.
      quorumHeard = quorumActive(n);
      if (!quorumHeard && n.config().checkQuorum()) {
        n.logger().warn(n.term(), "{} heard from no quorum of {} for an election timeout; stepping down", n.id(),
            n.membership());
        n.becomeFollower(n.term(), Optional.empty());
        return;
      }
    }
    if (maybeQuiesce(n)) return;
    for (Progress pr : progress.values()) {
      // A snapshot or its answer was lost: probe again, which resends it if still needed. Half an
      // election timeout: long enough for a large snapshot to arrive, short enough that a few
      // losses in a row (10 % each way on the lab's unreliable network) cost well under a second
      // (with two election timeouts, four lost snapshots in a row took 8 s; found by lab stress).
      if (pr.state == Progress.State.SNAPSHOT && ++pr.ticksInSnapshot >= snapshotRetryTicks(n)) pr.becomeProbe();
    }
    if (++heartbeatElapsed >= n.config().heartbeatTicks()) {
      heartbeatElapsed = 0;
      broadcastHeartbeat(n);
    }
  }

  // ---- quiescence -----------------------------------------------------------------------

  /**
   * Counts idle ticks and quiesces after {@link RaftConfig#quiesceTicks} of them, if every follower
   * answered meanwhile: the last heartbeat tells them to stop their election timers, and this
   * leader sends none until it wakes. Nothing is lost by it: every member holds and has applied
   * (or can apply) the whole log, and any input wakes the group.
   */
  private boolean maybeQuiesce(RaftNode n) {
    if (!n.config().quiesce()) return false;
    if (n.log.lastTerm() < n.term() && !leaving && transferTarget.isEmpty()) {
      // No entry of this term yet (noop-on-election off): entries of earlier terms past the commit
      // cannot commit by counting (Figure 8), and a follower's stale suffix is never overwritten, so
      // the group could never go idle (simulator seeds 5868662640869033737, -4207051093565711530).
      // An empty entry of this term settles both, as noop-on-election would have.
      n.logger().debug(n.term(), "{} appends an empty entry of term {} so the group can go idle", n.id(), n.term());
      appendLocal(n, List.of(LogEntry.noop(n.log.lastIndex() + 1, n.term())));
    }
    if (!idle(n)) {
      idleTicks = 0;
      heardWhileIdle.clear();
      return false;
    }
    // Every follower must answer in the second half of the idle window: an answer from before a
    // cut is no evidence that the follower will hear the quiescing heartbeat.
    int half = n.config().quiesceTicks() / 2;
    if (++idleTicks == half) heardWhileIdle.clear();
    if (idleTicks < n.config().quiesceTicks()) return false;
    if (!heardWhileIdle.containsAll(progress.keySet())) {
      idleTicks = half;
      heardWhileIdle.clear();
      return false;
    }
    idleTicks = 0;
    heardWhileIdle.clear();
    n.logger().info(n.term(), "{} quiescing: idle for {} ticks, every follower at {}", n.id(), n.config().quiesceTicks(),
        n.log.lastIndex());
    // A lease dated before the sleep must not outlive it: this leader's clock stops while the
    // followers' leases may run out (a woken follower campaigns once it stops hearing us).
    reads.suspendLease();
    for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
      long commit = Math.min(e.getValue().match, n.log.committed());
      n.send(new Heartbeat(n.term(), n.id(), e.getKey(), commit, 0, true));
    }
    heartbeatElapsed = 0;
    n.quiesceLeader();
    return true;
  }

  /**
   * Nothing to do: no proposal, read, transfer, membership change or snapshot under way, the log
   * committed, written and applied here, and every follower (learners too) holding all of it, with no
   * snapshot on its way to it.
   */
  private boolean idle(RaftNode n) {
    RaftLog log = n.log;
    long last = log.lastIndex();
    if (transferTarget.isPresent() || leaving || pendingBroadcast || !reads.isIdle() || n.membership().isJoint()
        || !n.membership().isVoter(n.id()) || pendingConfIndex > log.applied()) return false;
    if (log.committed() != last || log.stableLastIndex() != last || log.applied() != last) return false;
    for (Progress pr : progress.values()) {
      // Probing is fine once it holds everything (after a snapshot, an idle leader never leaves it).
      if (pr.match != last || pr.state == Progress.State.SNAPSHOT) return false;
    }
    return true;
  }

  /**
   * Woken (see {@link RaftNode#isQuiesced}): heartbeat at once, so that a follower that woke first
   * hears us before its election timer fires, and count the quorum afresh: answers from before the
   * sleep say nothing about who is reachable now. The lease stays suspended until a quorum answers
   * one of the heartbeats sent from now on ({@link ReadOnly#suspendLease}).
   */
  void woke(RaftNode n) {
    idleTicks = 0;
    heardWhileIdle.clear();
    for (Progress pr : progress.values()) pr.recentActive = false;
    n.restartLeaderPeriod();
    heartbeatElapsed = 0;
    broadcastHeartbeat(n);
  }

  /**
   * Whether a quorum (with us) answered within the last whole check-quorum period: true at first,
   * since winning the election took a quorum's votes. Once cut off, false within two periods.
   */
  boolean quorumHeard() {
    return quorumHeard;
  }

  /** Check-quorum: a quorum (with us) answered since the last check; clears the marks for the next period. */
  private boolean quorumActive(RaftNode n) {
    Set<PeerId> active = new HashSet<>();
    active.add(n.id());
    for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
      if (e.getValue().recentActive) active.add(e.getKey());
      e.getValue().recentActive = false;
    }
    return Quorum.isQuorum(n.membership(), active);
  }

  // ---- leadership transfer (thesis §3.10) ------------------------------------------------

  /** The other voter with the highest match index (ties: the first by id). */
  Optional<PeerId> mostUpToDateVoter(RaftNode n) {
    PeerId best = null;
    long bestMatch = -1;
    for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
      if (!n.membership().isVoter(e.getKey())) continue;
      if (e.getValue().match > bestMatch) {
        best = e.getKey();
        bestMatch = e.getValue().match;
      }
    }
    return Optional.ofNullable(best);
  }

  void startTransfer(RaftNode n, PeerId target) {
    if (transferTarget.equals(Optional.of(target))) return; // already under way; its timeout keeps running
    transferTarget = Optional.of(target);
    transferElapsed = 0;
    reads.revokeLease(); // the target's campaign may pass the followers' leases: none of ours holds any more
    Progress pr = progress.get(target);
    n.logger().info(n.term(), "{} transferring leadership to {} [{}, last index {}]", n.id(), target, pr,
        n.log.lastIndex());
    if (pr.match == n.log.lastIndex()) sendTimeoutNow(n, target);
    else sendAppends(n, target);
  }

  private static void sendTimeoutNow(RaftNode n, PeerId target) {
    n.logger().info(n.term(), "{} sends TimeoutNow to {}, whose log is up to date", n.id(), target);
    n.send(new TimeoutNow(n.term(), n.id(), target));
  }

  // ---- membership ------------------------------------------------------------------------

  /** The membership in force changed: replicate to the new members, forget the removed ones. */
  void membershipChanged(RaftNode n) {
    Set<PeerId> members = new HashSet<>(n.others());
    progress.keySet().retainAll(members);
    for (PeerId p : n.others()) {
      if (!progress.containsKey(p)) {
        progress.put(p, newProgress(n));
        sendAppend(n, p, progress.get(p), true);
      }
    }
    if (transferTarget.isPresent() && !n.membership().isVoter(transferTarget.get())) transferTarget = Optional.empty();
    // The new quorum may already hold more than the old one did (leaving joint drops a lagging half).
    maybeCommit(n);
    reads.confirm(n);
    if (!n.membership().isVoter(n.id())) handOver(n);
  }

  /**
   * A peer can win an election outside its voters: it campaigned as a voter (a transfer's
   * TimeoutNow, an election timeout) and applied its own removal before the votes came in. Nothing
   * applies that removal again, so it hands over now, as a leader that applies it does.
   */
  void handOverIfNotVoter(RaftNode n) {
    if (!n.membership().isVoter(n.id())) handOver(n);
  }

  /**
   * This leader is no longer a voter. It keeps leading (counting only the voters, not itself) so
   * that the remaining voters learn that its removal committed, and transfers leadership to the
   * most up-to-date voter, again and again if a transfer gives up; it takes no proposals meanwhile.
   * (Stepping down at once can leave the group without a possible leader: a remaining voter that
   * has not learned the commit still counts this peer, whose longer log then refuses it its vote.)
   */
  private void handOver(RaftNode n) {
    Optional<PeerId> next = mostUpToDateVoter(n);
    n.logger().info(n.term(), "{} is no longer a voter of {}; handing leadership over to {}", n.id(), n.membership(),
        next.isPresent() ? next.get() : "nobody");
    if (next.isPresent()) startTransfer(n, next.get());
    else n.becomeFollower(n.term(), Optional.empty());
  }

  /** Joint consensus leaves itself: once the joint entry is applied here, propose the entry that leaves it. */
  void maybeLeaveJoint(RaftNode n) {
    if (n.membership().isJoint() && pendingConfIndex <= n.log.applied() && n.isLeader()) {
      appendMembership(n, n.membership().leaveJoint());
    }
  }

  /** Appends a membership entry of this term; it takes effect when applied (see {@link RaftNode#advance}). */
  long appendMembership(RaftNode n, Membership m) {
    long index = n.log.lastIndex() + 1;
    appendLocal(n, List.of(LogEntry.confChange(index, n.term(), m)));
    pendingConfIndex = index;
    if (!m.isVoter(n.id())) leaving = true;
    n.logger().info(n.term(), "{} proposed membership {} at {}", n.id(), m, index);
    if (n.config().unsafeRule() == RaftConfig.UnsafeRule.CHANGE_ON_APPEND) n.applyMembership(m, index);
    return index;
  }

  private static int snapshotRetryTicks(RaftNode n) {
    return Math.max(2, n.config().electionTicks() / 2);
  }

  void broadcastHeartbeat(RaftNode n) {
    long round = reads.heartbeatRound(n);
    for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
      long commit = Math.min(e.getValue().match, n.log.committed());
      n.send(new Heartbeat(n.term(), n.id(), e.getKey(), commit, round));
    }
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (m instanceof AppendEntriesResponse r) onAppendResponse(n, r);
    else if (m instanceof HeartbeatResponse r) onHeartbeatResponse(n, r);
    else if (m instanceof InstallSnapshotResponse r) onSnapshotResponse(n, r);
    else if (m instanceof RequestVote || m instanceof PreVote) n.handleVoteRequest(m); // same term: we voted for ourselves
    else if (FollowerRole.isFromLeader(m))
      throw new IllegalStateException("two leaders in term " + n.term() + ": " + n.id() + " got " + m.describe());
  }

  private void onAppendResponse(RaftNode n, AppendEntriesResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    pr.recentActive = true;
    heardWhileIdle.add(r.from());
    if (!r.success()) {
      onRejection(n, r, pr);
      return;
    }
    if (pr.maybeUpdate(r.matchIndex())) {
      switch (pr.state) {
        case PROBE -> pr.becomeReplicate();
        case SNAPSHOT -> {
          if (pr.match >= pr.pendingSnapshot) pr.becomeProbe();
        }
        case REPLICATE -> pr.inflights.freeTo(pr.match);
      }
      maybeCommit(n);
      if (!n.isLeader()) return;
      if (transferTarget.equals(Optional.of(r.from())) && pr.match == n.log.lastIndex()) sendTimeoutNow(n, r.from());
    }
    sendAppends(n, r.from());
  }

  private void onRejection(RaftNode n, AppendEntriesResponse r, Progress pr) {
    long hintNext = nextFromHint(n, r);
    switch (pr.state) {
      case REPLICATE -> {
        if (r.rejectedIndex() <= pr.match) return; // stale: we learned more since
        pr.becomeProbe();
        pr.next = Math.max(pr.match + 1, Math.min(hintNext, r.rejectedIndex()));
      }
      case PROBE -> {
        if (pr.next - 1 != r.rejectedIndex()) return; // answers an older probe
        pr.next = Math.max(pr.match + 1, Math.min(hintNext, r.rejectedIndex()));
        pr.probeSent = false;
      }
      case SNAPSHOT -> {
        return;
      }
    }
    n.logger().debug(n.term(), "{} backing up {} to {} after {}", n.id(), r.from(), pr, r);
    sendAppend(n, r.from(), pr, true);
  }

  /** Where to retry after a rejection: just past our last entry of the follower's conflicting term. */
  private static long nextFromHint(RaftNode n, AppendEntriesResponse r) {
    if (r.conflictTerm() == 0) return r.conflictIndex();
    long i = Math.min(r.rejectedIndex(), n.log.lastIndex());
    while (i >= n.log.firstIndex()) {
      long t = n.log.term(i);
      if (t == r.conflictTerm()) return i + 1;
      if (t < r.conflictTerm()) break;
      i--;
    }
    return r.conflictIndex();
  }

  private void onHeartbeatResponse(RaftNode n, HeartbeatResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    pr.recentActive = true;
    heardWhileIdle.add(r.from());
    pr.probeSent = false;
    if (r.readRound() > 0) reads.onAck(n, r.from(), r.readRound());
    if (pr.state == Progress.State.REPLICATE && pr.inflights.isFull()) pr.inflights.freeFirst();
    // The follower may have missed appends: an empty one makes it tell us where it stands.
    if (pr.match < n.log.lastIndex()) sendAppend(n, r.from(), pr, true);
  }

  private void onSnapshotResponse(RaftNode n, InstallSnapshotResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    pr.recentActive = true;
    heardWhileIdle.add(r.from());
    pr.maybeUpdate(r.matchIndex());
    if (pr.state == Progress.State.SNAPSHOT) {
      n.logger().info(n.term(), "{} follower {} installed snapshot up to {}", n.id(), r.from(), r.matchIndex());
      pr.becomeProbe();
    }
    maybeCommit(n);
    sendAppends(n, r.from());
  }

  /** Sends appends to one follower until it is caught up or its pipeline is full. */
  private void sendAppends(RaftNode n, PeerId to) {
    Progress pr = progress.get(to);
    while (sendAppend(n, to, pr, false)) {
      if (pr.state != Progress.State.REPLICATE) break;
    }
  }

  /** Sends one append (or the snapshot, if the entries it needs are compacted). */
  private boolean sendAppend(RaftNode n, PeerId to, Progress pr, boolean sendIfEmpty) {
    if (pr.isPaused()) return false;
    RaftLog log = n.log;
    long prevIndex = pr.next - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm == RaftLog.UNKNOWN_TERM) {
      sendSnapshot(n, to, pr);
      return false;
    }
    List<LogEntry> entries = pr.next <= log.lastIndex()
        ? log.entries(pr.next, log.lastIndex() + 1, n.config().maxBytesPerAppend())
        : new ArrayList<>();
    if (entries.isEmpty() && !sendIfEmpty) return false;
    n.send(new AppendEntries(n.term(), n.id(), to, prevIndex, prevTerm, entries, log.committed()));
    if (pr.state == Progress.State.REPLICATE && !entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).index();
      pr.next = last + 1;
      pr.inflights.add(last);
    } else if (pr.state == Progress.State.PROBE) {
      pr.probeSent = true;
    }
    return true;
  }

  private void sendSnapshot(RaftNode n, PeerId to, Progress pr) {
    Snapshot snap = n.storage().snapshot();
    if (snap.isEmpty()) throw new IllegalStateException("entries before " + n.log.firstIndex() + " compacted but no snapshot");
    n.logger().info(n.term(), "{} sending {} to {} [{}]", n.id(), snap.meta(), to, pr);
    pr.becomeSnapshot(snap.meta().index());
    n.send(new InstallSnapshot(n.term(), n.id(), to, snap));
  }

  /**
   * Commits the highest index a majority holds on disk, if it is of the current term (Figure 8).
   * The leader counts only what it has written itself: its appends leave before its own write
   * (see {@link Ready#sendBeforePersist()}), so its log may run ahead of its disk.
   */
  private void maybeCommit(RaftNode n) {
    long stable = n.log.stableLastIndex();
    long index = Quorum.committedIndex(n.membership(), p -> {
      if (p.equals(n.id())) return stable;
      Progress pr = progress.get(p);
      return pr == null ? 0 : pr.match;
    });
    if (index > n.log.committed() && index <= n.log.lastIndex()
        && (n.log.term(index) == n.term() || n.config().unsafeRule() == RaftConfig.UnsafeRule.COMMIT_OLD_TERM_BY_COUNTING)) {
      n.log.commitTo(index);
      n.logger().debug(n.term(), "{} committed up to {}", n.id(), index);
      reads.committed(n, this);
    }
  }
}
