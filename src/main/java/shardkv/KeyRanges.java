package shardkv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ordered key ranges: {@code boundaries} b1 < b2 < ... < b(n-1) cut the key space into n shards,
 * shard 0 = [ "", b1 ), shard i = [ b(i), b(i+1) ), the last one unbounded above. Keys of one
 * shard are contiguous, so a Scan over [from, to) visits the shards from the one holding
 * {@code from} upwards, each as one ordered walk, and their results concatenate in key order.
 */
public record KeyRanges(List<String> boundaries) implements ShardMapping {

  public KeyRanges {
    boundaries = List.copyOf(boundaries);
    for (int i = 0; i < boundaries.size(); i++) {
      if (boundaries.get(i).isEmpty()) throw new IllegalArgumentException("boundary " + i + " is empty");
      if (i > 0 && boundaries.get(i - 1).compareTo(boundaries.get(i)) >= 0) {
        throw new IllegalArgumentException("boundaries not strictly ascending at " + i + ": " + boundaries);
      }
    }
  }

  public static KeyRanges of(String... boundaries) {
    return new KeyRanges(Arrays.asList(boundaries));
  }

  @Override
  public int nShards() {
    return boundaries.size() + 1;
  }

  @Override
  public int shardOf(String key) {
    int lo = 0;
    int hi = boundaries.size();
    while (lo < hi) { // first boundary > key
      int mid = (lo + hi) >>> 1;
      if (boundaries.get(mid).compareTo(key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The lowest key of {@code shard}. */
  public String start(int shard) {
    return shard == 0 ? "" : boundaries.get(shard - 1);
  }

  @Override
  public List<Integer> shardsInKeyOrder(String from, String to) {
    List<Integer> out = new ArrayList<>();
    int first = shardOf(from);
    for (int s = first; s < nShards(); s++) {
      if (s > first && to != null && start(s).compareTo(to) >= 0) break;
      out.add(s);
    }
    return out;
  }

  @Override
  public boolean preservesOrder() {
    return true;
  }
}
