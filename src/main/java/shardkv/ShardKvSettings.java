package shardkv;

import java.time.Duration;
import java.util.Objects;

/**
 * How one shard group's servers run.
 *
 * @param gid the group's id in the controller's configurations
 * @param mapping key to shard; the same on every server and client
 * @param maxRaftStateBytes snapshot once the log applied since the last snapshot passes this (0: never)
 * @param pollInterval how often the leader does its duties: ask the controller for the next
 *     configuration, pull shards in transit, have received shards deleted (the lab: 100 ms)
 * @param chunkBytes about how many bytes of a shard one pulled chunk (one log entry) carries
 * @param callTimeout how long one call to another group's server or to the controller may take
 * @param watchTimeout how long the leader's Watch for the next configuration waits at the controller
 *     before it answers Unchanged and is re-armed (a lost request or answer costs this plus callTimeout)
 */
public record ShardKvSettings(int gid, ShardMapping mapping, long maxRaftStateBytes, Duration pollInterval,
    int chunkBytes, Duration callTimeout, Duration watchTimeout) {

  public ShardKvSettings {
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(callTimeout, "callTimeout");
    Objects.requireNonNull(watchTimeout, "watchTimeout");
    if (gid <= 0) throw new IllegalArgumentException("gid must be positive (0 means no group), was " + gid);
    if (pollInterval.isNegative() || pollInterval.isZero())
      throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
    if (callTimeout.isNegative() || callTimeout.isZero())
      throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
    if (watchTimeout.isNegative() || watchTimeout.isZero())
      throw new IllegalArgumentException("watchTimeout must be positive, was " + watchTimeout);
    if (chunkBytes < 1) throw new IllegalArgumentException("chunkBytes must be >= 1, was " + chunkBytes);
  }

  /** The lab's cadence (100 ms), 64 KiB chunks, 1 s calls, 2 s watches, no snapshots. */
  public static ShardKvSettings of(int gid, ShardMapping mapping) {
    return new ShardKvSettings(gid, mapping, 0, Duration.ofMillis(100), 64 * 1024, Duration.ofSeconds(1),
        Duration.ofSeconds(2));
  }

  public ShardKvSettings withMaxRaftStateBytes(long bytes) {
    return new ShardKvSettings(gid, mapping, bytes, pollInterval, chunkBytes, callTimeout, watchTimeout);
  }

  public ShardKvSettings withChunkBytes(int bytes) {
    return new ShardKvSettings(gid, mapping, maxRaftStateBytes, pollInterval, bytes, callTimeout, watchTimeout);
  }

  public ShardKvSettings withWatchTimeout(Duration d) {
    return new ShardKvSettings(gid, mapping, maxRaftStateBytes, pollInterval, chunkBytes, callTimeout, d);
  }
}
