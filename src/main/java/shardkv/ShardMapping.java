package shardkv;

import java.util.List;

/**
 * Which shard a key belongs to. Pluggable: {@link LabFirstByte} is the lab's {@code key2shard}
 * (first byte mod the number of shards), used by the lab scenarios; {@link KeyRanges} cuts the
 * ordered key space into contiguous ranges, so a Scan is one ordered walk per shard and the
 * shards of a key range are found in key order. Implementations are immutable and deterministic:
 * every replica and every client must map a key to the same shard.
 */
public interface ShardMapping {

  int nShards();

  /** The shard of {@code key}, in {@code [0, nShards())}. */
  int shardOf(String key);

  /**
   * The shards that may hold keys in {@code [from, to)} ({@code to} null: unbounded), in the order
   * a Scan must visit them to return keys in ascending order. A mapping that does not preserve
   * key order (the lab's, hash slots) returns every shard, and a Scan over it must merge.
   */
  List<Integer> shardsInKeyOrder(String from, String to);

  /** Whether {@link #shardsInKeyOrder} visits shards whose keys do not interleave (a range mapping). */
  boolean preservesOrder();
}
