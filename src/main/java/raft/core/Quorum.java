package raft.core;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import raft.PeerId;
import raft.message.Membership;

/**
 * Pure quorum arithmetic (etcd's {@code quorum} package): majorities of one voter set, and joint
 * quorums, which need a majority of the incoming AND of the outgoing voters. An empty voter set
 * agrees to everything (so a simple configuration is a joint one with an empty outgoing half).
 */
final class Quorum {
  private Quorum() {}

  /** The outcome of an election (or pre-vote) so far. */
  enum VoteResult { WON, LOST, PENDING }

  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /** The highest index held by a majority, given each voter's match index. */
  static long committedIndex(Collection<Long> matches) {
    long[] sorted = matches.stream().mapToLong(Long::longValue).toArray();
    if (sorted.length == 0) return Long.MAX_VALUE;
    Arrays.sort(sorted);
    // With n voters sorted ascending, the (n - majority)-th holds an index a majority reached.
    return sorted[sorted.length - majority(sorted.length)];
  }

  /** The highest index held by a majority of each half of the membership (joint consensus, §4.3). */
  static long committedIndex(Membership m, ToLongFunction<PeerId> match) {
    return Math.min(committedIndex(m.voters(), match), committedIndex(m.outgoing(), match));
  }

  private static long committedIndex(List<PeerId> voters, ToLongFunction<PeerId> match) {
    return committedIndex(voters.stream().map(match::applyAsLong).toList());
  }

  /** Whether the granted and rejected votes so far decide an election in this membership. */
  static VoteResult voteResult(Membership m, Map<PeerId, Boolean> votes) {
    VoteResult in = voteResult(m.voters(), votes);
    VoteResult out = voteResult(m.outgoing(), votes);
    if (in == VoteResult.LOST || out == VoteResult.LOST) return VoteResult.LOST;
    if (in == VoteResult.WON && out == VoteResult.WON) return VoteResult.WON;
    return VoteResult.PENDING;
  }

  private static VoteResult voteResult(List<PeerId> voters, Map<PeerId, Boolean> votes) {
    if (voters.isEmpty()) return VoteResult.WON;
    int granted = 0;
    int missing = 0;
    for (PeerId p : voters) {
      Boolean v = votes.get(p);
      if (v == null) missing++;
      else if (v) granted++;
    }
    int need = majority(voters.size());
    if (granted >= need) return VoteResult.WON;
    if (granted + missing >= need) return VoteResult.PENDING;
    return VoteResult.LOST;
  }

  /** Whether {@code active} holds a quorum of the membership (check-quorum). */
  static boolean isQuorum(Membership m, Set<PeerId> active) {
    return isMajority(m.voters(), active) && isMajority(m.outgoing(), active);
  }

  private static boolean isMajority(List<PeerId> voters, Set<PeerId> active) {
    if (voters.isEmpty()) return true;
    return voters.stream().filter(active::contains).count() >= majority(voters.size());
  }
}
