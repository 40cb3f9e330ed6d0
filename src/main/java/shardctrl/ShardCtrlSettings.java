package shardctrl;

import java.time.Duration;

/**
 * How a shard controller replica runs ({@code raftkv.shardctrl} in reference.conf).
 *
 * @param nShards number of shards (the lab's NShards = 10); fixed for the life of the controller
 * @param maxRaftStateBytes snapshot once the log entries applied since the last snapshot exceed
 *     this many bytes; 0: never (the lab's controller never snapshots)
 * @param maxWatch the longest a Watch may wait; longer requests are cut to it
 */
public record ShardCtrlSettings(int nShards, long maxRaftStateBytes, Duration maxWatch) {

  /** The lab's NShards. */
  public static final int LAB_SHARDS = 10;

  public static ShardCtrlSettings defaults() {
    return new ShardCtrlSettings(LAB_SHARDS, 1 << 20, Duration.ofSeconds(30));
  }

  public ShardCtrlSettings withMaxRaftStateBytes(long bytes) {
    return new ShardCtrlSettings(nShards, bytes, maxWatch);
  }

  public ShardCtrlSettings withMaxWatch(Duration d) {
    return new ShardCtrlSettings(nShards, maxRaftStateBytes, d);
  }

  public ShardCtrlSettings validate() {
    if (nShards < 1) throw new IllegalArgumentException("n-shards must be >= 1, was " + nShards);
    if (maxRaftStateBytes < 0) throw new IllegalArgumentException("max-raft-state must be >= 0, was " + maxRaftStateBytes);
    if (maxWatch.isNegative() || maxWatch.isZero()) throw new IllegalArgumentException("max-watch must be positive, was " + maxWatch);
    return this;
  }
}
