package shardkv;

import raft.GroupId;
import raft.PeerId;

/**
 * What a shard group replica reports for a metrics backend the node plugs in (Prometheus in {@code
 * node.http.NodeMetrics}); shardkv knows no metrics library. Called on the replica's actor thread:
 * an implementation must be cheap and must not block. {@link #NOOP} (the default) ignores it.
 */
@FunctionalInterface
public interface ShardKvMetrics {
  /**
   * How many shards this replica's applied state has {@link ShardStatus#PULLING} now: migrations
   * into its group not finished. Reported at every duty tick ({@link ShardKvSettings#pollInterval()}),
   * and 0 once the replica stops (it pulls nothing any more).
   */
  void pulling(int shards);

  ShardKvMetrics NOOP = shards -> {};

  /** Makes the metrics of each shard group replica a node hosts. */
  @FunctionalInterface
  interface Factory {
    ShardKvMetrics shardMetrics(GroupId group, PeerId peer);

    Factory NOOP = (group, peer) -> ShardKvMetrics.NOOP;
  }
}
