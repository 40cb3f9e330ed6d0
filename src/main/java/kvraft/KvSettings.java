package kvraft;

/**
 * How a KV replica runs ({@code raftkv.kv} in reference.conf, read by {@code node.NodeSettings}).
 *
 * @param maxRaftStateBytes snapshot once the log applied since the last snapshot exceeds this many
 *     bytes (the lab's maxraftstate); 0 or less: never snapshot
 * @param limits what a request may hold before it is rejected
 */
public record KvSettings(long maxRaftStateBytes, KvLimits limits) {

  public static KvSettings defaults() {
    return new KvSettings(8L << 20, KvLimits.defaults());
  }

  public KvSettings withMaxRaftStateBytes(long bytes) {
    return new KvSettings(bytes, limits);
  }

  /** Returns these settings, or throws {@link IllegalArgumentException} naming the bad one. */
  public KvSettings validate() {
    if (limits.maxKeyBytes() < 1) throw new IllegalArgumentException("maxKeyBytes must be >= 1, was " + limits.maxKeyBytes());
    if (limits.maxValueBytes() < 0) throw new IllegalArgumentException("maxValueBytes must be >= 0, was " + limits.maxValueBytes());
    if (limits.maxScanLimit() < 1) throw new IllegalArgumentException("maxScanLimit must be >= 1, was " + limits.maxScanLimit());
    return this;
  }
}
