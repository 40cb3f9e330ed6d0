package raft.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.ReadIndexResponse;

/**
 * The leader's linearizable reads waiting for their read index to be confirmed (etcd's
 * read_only.go, ReadOnlySafe). A read is held until an entry of this leader's term has committed
 * (before that its commit index may lag the group's); it then records the commit index and joins
 * the next heartbeat round. Every read waiting when a round starts rides that one round (the
 * round number is the heartbeat's context), and once a quorum has answered a round at least as new,
 * all of them are released in order. One instance per term of leadership: a leader that steps down
 * drops what it holds ({@link #dropAll}).
 *
 * <p>With lease reads configured, every heartbeat starts a round of its own and the tick it left at
 * is kept: the newest round a quorum answered then dates the lease (from when that heartbeat was
 * sent, never from when its answers came), and {@link #addLease} releases a read at once while the
 * lease lasts ({@link RaftConfig.ReadLease#leaseTicks}). A leadership transfer ends the lease for
 * the rest of the term: the target's campaign is allowed to ignore the followers' leases.
 */
final class ReadOnly {
  /** A read asked of this leader by {@code from} (itself, or a follower that forwarded it). */
  private static final class Request {
    final PeerId from;
    final long id;
    final long born;
    long index;
    /** The heartbeat round confirming it; 0 until one starts. */
    long round;

    Request(PeerId from, long id, long born) {
      this.from = from;
      this.id = id;
      this.born = born;
    }
  }

  /** Waiting for an entry of this term to commit. */
  private final List<Request> deferred = new ArrayList<>();
  /** Index recorded, in arrival order; those of round 0 wait for the next round to start. */
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  /** The newest round each follower answered in this term. */
  private final Map<PeerId, Long> acked = new HashMap<>();
  private long round;
  private boolean unstarted;
  private long ticks;
  /** Lease reads: the tick each heartbeat round not yet superseded by a quorum-answered one left at. */
  private final TreeMap<Long, Long> sentAt = new TreeMap<>();
  /** A leadership transfer started in this term: no lease any more. */
  private boolean leaseRevoked;

  /** A read arrives (from this leader's caller or a follower). */
  void add(RaftNode n, LeaderRole l, PeerId from, long id) {
    Request r = new Request(from, id, ticks);
    if (n.log.committed() < l.termStartIndex) deferred.add(r);
    else enqueue(n, r);
  }

  /**
   * A lease read: released at once, at the commit index, while this leader holds its lease and an
   * entry of its term has committed; otherwise it waits for a heartbeat round like any other read
   * (which renews the lease), so a lapsed lease costs a round trip, never freshness.
   */
  void addLease(RaftNode n, LeaderRole l, PeerId from, long id) {
    if (n.log.committed() >= l.termStartIndex && holdsLease(n)) {
      Request r = new Request(from, id, ticks);
      r.index = n.log.committed();
      release(n, r);
      return;
    }
    add(n, l, from, id);
  }

  /** A quorum answered a heartbeat this leader sent less than a lease ago, and no transfer started. */
  boolean holdsLease(RaftNode n) {
    int lease = n.config().readLease().leaseTicks(n.config().electionTicks());
    if (lease < 1 || leaseRevoked) return false;
    Long sent = sentAt.get(quorumRound(n));
    return sent != null && ticks < sent + lease;
  }

  /**
   * The leader quiesces: its ticks stop while real time, and the followers' leases, may run on, so no
   * round sent before may date a lease any more. A lease holds again once a quorum answers a
   * heartbeat sent after it woke (those rounds are dated by its ticks from then on).
   */
  void suspendLease() {
    sentAt.clear();
  }

  /** No read waits here (quiescence needs that: a waiting read needs ticks to time out). */
  boolean isIdle() {
    return deferred.isEmpty() && queue.isEmpty() && !unstarted;
  }

  /** Leadership is being handed over: the target may be elected past the followers' leases. */
  void revokeLease() {
    leaseRevoked = true;
  }

  /**
   * The round a heartbeat broadcast now carries. With lease reads on, each broadcast is a round of
   * its own, dated now; otherwise the newest started round, or 0 when no read waits.
   */
  long heartbeatRound(RaftNode n) {
    if (n.config().readLease().leaseTicks(n.config().electionTicks()) < 1) return currentRound();
    round++;
    sentAt.put(round, ticks);
    return round;
  }

  /** The commit index advanced: reads held for this term's first commit may now take their index. */
  void committed(RaftNode n, LeaderRole l) {
    if (deferred.isEmpty() || n.log.committed() < l.termStartIndex) return;
    for (Request r : deferred) enqueue(n, r);
    deferred.clear();
  }

  private void enqueue(RaftNode n, Request r) {
    r.index = n.log.committed();
    if (n.config().unsafeRule() == RaftConfig.UnsafeRule.READ_WITHOUT_HEARTBEAT_ROUND) {
      release(n, r);
      return;
    }
    queue.add(r);
    unstarted = true;
  }

  /** Reads wait for a round that has not started yet. */
  boolean hasUnstartedRound() {
    return unstarted;
  }

  /** The round a heartbeat sent now carries: the newest started, or 0 when no read waits. */
  long currentRound() {
    return queue.isEmpty() ? 0 : round;
  }

  /**
   * Starts one round for every read still without one; the caller broadcasts the heartbeat that
   * carries it. A single-voter group confirms it at once.
   */
  void startRound(RaftNode n) {
    if (!unstarted) return;
    unstarted = false;
    round++;
    for (Request r : queue) {
      if (r.round == 0) r.round = round;
    }
    confirm(n);
  }

  /** A follower answered a heartbeat of round {@code r} in this term. */
  void onAck(RaftNode n, PeerId from, long r) {
    if (r <= acked.getOrDefault(from, 0L)) return;
    acked.put(from, r);
    confirm(n);
    if (sentAt.isEmpty()) return;
    // Rounds older than the newest a quorum answered can no longer date the lease.
    sentAt.headMap(quorumRound(n)).clear();
  }

  /** Releases, in order, every read whose round a quorum (this leader counting for every round) has answered. */
  void confirm(RaftNode n) {
    if (queue.isEmpty()) return;
    long confirmed = quorumRound(n);
    while (!queue.isEmpty() && queue.peek().round != 0 && queue.peek().round <= confirmed) release(n, queue.poll());
  }

  /** The newest round a quorum (this leader counting for every round) has answered. */
  private long quorumRound(RaftNode n) {
    return Quorum.committedIndex(n.membership(), p -> p.equals(n.id()) ? round : acked.getOrDefault(p, 0L));
  }

  private static void release(RaftNode n, Request r) {
    if (r.from.equals(n.id())) n.releaseRead(new ReadState(r.id, r.index));
    else n.send(new ReadIndexResponse(n.term(), n.id(), r.from, r.id, r.index, true));
  }

  /** One leader tick: a read no quorum confirmed within two election timeouts is dropped (its caller retries). */
  void tick(RaftNode n) {
    ticks++;
    long limit = 2L * n.config().electionTicks();
    deferred.removeIf(r -> expired(n, r, limit));
    queue.removeIf(r -> expired(n, r, limit));
  }

  private boolean expired(RaftNode n, Request r, long limit) {
    if (ticks - r.born < limit) return false;
    refuse(n, r);
    return true;
  }

  /** This leader steps down: nothing it holds may be released any more. */
  void dropAll(RaftNode n) {
    for (Request r : deferred) refuse(n, r);
    for (Request r : queue) refuse(n, r);
    deferred.clear();
    queue.clear();
    unstarted = false;
  }

  private static void refuse(RaftNode n, Request r) {
    if (r.from.equals(n.id())) n.dropRead(r.id);
    else n.send(new ReadIndexResponse(n.term(), n.id(), r.from, r.id, 0, false));
  }
}
