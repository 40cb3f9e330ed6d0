package kvraft;

import raft.rsm.ClientSessions;
import raft.rsm.ReplicatedStateMachine;

/**
 * How a KV replica runs ({@code raftkv.kv} in reference.conf, read by {@code node.NodeSettings}).
 *
 * @param maxRaftStateBytes snapshot once the log applied since the last snapshot exceeds this many
 *     bytes (the lab's maxraftstate); 0 or less: never snapshot
 * @param limits what a request may hold before it is rejected
 * @param maxSessions client sessions kept for exactly-once; the least recently used is forgotten
 *     past it, and its client's next write is refused with {@link KvReply.SessionExpired}
 * @param maxWaitingCalls calls a replica holds while their entries commit; more are answered Busy
 */
public record KvSettings(long maxRaftStateBytes, KvLimits limits, int maxSessions, int maxWaitingCalls) {

  public KvSettings(long maxRaftStateBytes, KvLimits limits) {
    this(maxRaftStateBytes, limits, ClientSessions.DEFAULT_MAX_SESSIONS, ReplicatedStateMachine.DEFAULT_MAX_WAITING_CALLS);
  }

  public static KvSettings defaults() {
    return new KvSettings(8L << 20, KvLimits.defaults());
  }

  public KvSettings withMaxRaftStateBytes(long bytes) {
    return new KvSettings(bytes, limits, maxSessions, maxWaitingCalls);
  }

  public KvSettings withMaxSessions(int n) {
    return new KvSettings(maxRaftStateBytes, limits, n, maxWaitingCalls);
  }

  public KvSettings withMaxWaitingCalls(int n) {
    return new KvSettings(maxRaftStateBytes, limits, maxSessions, n);
  }

  /** Returns these settings, or throws {@link IllegalArgumentException} naming the bad one. */
  public KvSettings validate() {
    if (limits.maxKeyBytes() < 1) throw new IllegalArgumentException("maxKeyBytes must be >= 1, was " + limits.maxKeyBytes());
    if (limits.maxValueBytes() < 0) throw new IllegalArgumentException("maxValueBytes must be >= 0, was " + limits.maxValueBytes());
    if (limits.maxScanLimit() < 1) throw new IllegalArgumentException("maxScanLimit must be >= 1, was " + limits.maxScanLimit());
    if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be >= 1, was " + maxSessions);
    if (maxWaitingCalls < 1) throw new IllegalArgumentException("maxWaitingCalls must be >= 1, was " + maxWaitingCalls);
    return this;
  }
}
