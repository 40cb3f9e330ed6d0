package node;

import hosting.ReplicaKey;
import java.util.List;
import java.util.Optional;
import raft.PeerId;
import raft.message.Membership;

/**
 * What a group left mid-move by an interrupted {@link ReplicaMove} needs next, decided from the
 * controller's list of its servers and the group's Raft membership alone (pure), for a move asked
 * again from node {@code from} to node {@code to}. A move's steps leave these states behind, and
 * each has one repair:
 *
 * <ul>
 *   <li>joint configuration: wait (the core leaves it by itself);
 *   <li>a learner (added, perhaps created, not promoted): on {@code to}, finish it (create it if it is
 *       not, promote it); elsewhere, remove it (nothing depends on a learner);
 *   <li>an extra voter: the replica on {@code to} was listed by a move ({@code beforeTo}, the
 *       group's servers in the configuration just before it was listed, held the one on {@code
 *       from} and one voter fewer than now) and both vote: remove the one on {@code from}, as the
 *       move would have;
 *   <li>a server listed but no member (listed before its learner was added, or removed from the
 *       group before it was unlisted): unlist it ({@code RemoveServer}) and retire it.
 * </ul>
 *
 * {@link Step.None} once nothing is left; the move then runs (or has nothing left to do) as asked.
 */
final class MoveRepair {
  private MoveRepair() {}

  /** The next repair step. */
  sealed interface Step {
    /** Nothing is half-done. */
    record None() implements Step {}

    /** The group is in joint consensus; ask again shortly. */
    record WaitForJoint(Membership membership) implements Step {}

    /** The learner on the move's target: create it if needed, then promote it. */
    record PromoteLearner(ReplicaKey learner) implements Step {}

    /** A learner elsewhere: remove it from the group, then unlist and retire it. */
    record RemoveLearner(ReplicaKey learner) implements Step {}

    /** The extra voter on {@code from}: hand its leadership over if it leads, remove it, unlist and retire it. */
    record RemoveVoter(ReplicaKey leaving) implements Step {}

    /** A listed server that is no member: unlist and retire it. */
    record Unlist(ReplicaKey server) implements Step {}
  }

  static final Step NONE = new Step.None();

  /**
   * @param listed the group's servers in the controller's latest configuration
   * @param members the group's membership as its leader (or latest replica) sees it
   * @param beforeTo the group's servers in the configuration just before the replica on {@code
   *     to} was listed, if that replica was listed by a move (empty: none on {@code to}, or it came
   *     with the group)
   */
  static Step next(List<ReplicaKey> listed, Membership members, String from, String to,
      Optional<List<ReplicaKey>> beforeTo) {
    if (members.isJoint()) return new Step.WaitForJoint(members);
    for (PeerId l : members.learners()) {
      ReplicaKey key = keyOf(listed, l);
      if (key == null) continue; // a learner the controller does not list: not a move's (none adds one unlisted)
      boolean onTarget = NodePlacement.nodeName(l).equals(to) && members.voters().stream().noneMatch(v -> on(v, to));
      return onTarget ? new Step.PromoteLearner(key) : new Step.RemoveLearner(key);
    }
    Optional<ReplicaKey> onTo = listed.stream().filter(k -> on(k.replica(), to) && members.isVoter(k.replica())).findFirst();
    Optional<ReplicaKey> onFrom = listed.stream().filter(k -> on(k.replica(), from) && members.isVoter(k.replica())).findFirst();
    if (onTo.isPresent() && onFrom.isPresent() && beforeTo.isPresent() && beforeTo.get().contains(onFrom.get())
        && !beforeTo.get().contains(onTo.get()) && members.voters().size() == beforeTo.get().size() + 1)
      return new Step.RemoveVoter(onFrom.get());
    for (ReplicaKey k : listed)
      if (!members.contains(k.replica())) return new Step.Unlist(k);
    return NONE;
  }

  /** Whether the move asked for is already done: a voter on {@code to}, none listed on {@code from}. */
  static boolean done(List<ReplicaKey> listed, Membership members, String from, String to) {
    return listed.stream().anyMatch(k -> on(k.replica(), to) && members.isVoter(k.replica()))
        && listed.stream().noneMatch(k -> on(k.replica(), from));
  }

  private static boolean on(PeerId replica, String node) {
    return NodePlacement.nodeName(replica).equals(node);
  }

  private static ReplicaKey keyOf(List<ReplicaKey> listed, PeerId replica) {
    for (ReplicaKey k : listed) if (k.replica().equals(replica)) return k;
    return null;
  }
}
