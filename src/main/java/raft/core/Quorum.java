package raft.core;

import java.util.Arrays;
import java.util.Collection;

/** Pure majority arithmetic. */
final class Quorum {
  private Quorum() {}

  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /** The highest index held by a majority, given each voter's match index. */
  static long committedIndex(Collection<Long> matches) {
    long[] sorted = matches.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    // With n voters sorted ascending, the (n - majority)-th holds an index a majority reached.
    return sorted[sorted.length - majority(sorted.length)];
  }
}
