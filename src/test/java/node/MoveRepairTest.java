package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hosting.ReplicaKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.message.Membership;

/** What a group left mid-move needs next, for each state a move's steps leave behind (pure). */
class MoveRepairTest {
  private static List<ReplicaKey> keys(String... replicas) {
    return java.util.Arrays.stream(replicas).map(r -> ReplicaKey.of("g100", r)).toList();
  }

  private static List<PeerId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(PeerId::of).toList();
  }

  private static Membership voters(String... v) {
    return Membership.ofVoters(ids(v));
  }

  private static Membership withLearner(String learner, String... v) {
    return new Membership(ids(v), ids(learner), List.of());
  }

  private static final Optional<List<ReplicaKey>> BEFORE_N4 = Optional.of(keys("n1", "n2", "n3"));

  @Test
  void eachInterruptedStepOfAMoveN1ToN4HasItsRepair() {
    // Interrupted after AddServer: listed, no member: unlisted (the move then runs with a fresh id).
    assertEquals(new MoveRepair.Step.Unlist(ReplicaKey.of("g100", "n4")),
        MoveRepair.next(keys("n1", "n2", "n3", "n4"), voters("n1", "n2", "n3"), "n1", "n4", BEFORE_N4));
    // After AddLearner (created or not): the learner on the target is finished, promoted.
    assertEquals(new MoveRepair.Step.PromoteLearner(ReplicaKey.of("g100", "n4")),
        MoveRepair.next(keys("n1", "n2", "n3", "n4"), withLearner("n4", "n1", "n2", "n3"), "n1", "n4", BEFORE_N4));
    // After the promotion: the extra voter on the source is removed.
    assertEquals(new MoveRepair.Step.RemoveVoter(ReplicaKey.of("g100", "n1")),
        MoveRepair.next(keys("n1", "n2", "n3", "n4"), voters("n1", "n2", "n3", "n4"), "n1", "n4", BEFORE_N4));
    // After the group removed it: the list is a superset, the old one is unlisted; then the move is done.
    assertEquals(new MoveRepair.Step.Unlist(ReplicaKey.of("g100", "n1")),
        MoveRepair.next(keys("n1", "n2", "n3", "n4"), voters("n2", "n3", "n4"), "n1", "n4", BEFORE_N4));
    assertFalse(MoveRepair.done(keys("n1", "n2", "n3", "n4"), voters("n2", "n3", "n4"), "n1", "n4"));
    assertTrue(MoveRepair.done(keys("n2", "n3", "n4"), voters("n2", "n3", "n4"), "n1", "n4"));
    assertEquals(MoveRepair.NONE, MoveRepair.next(keys("n2", "n3", "n4"), voters("n2", "n3", "n4"), "n1", "n4", BEFORE_N4));
  }

  @Test
  void aLearnerElsewhereIsRemovedAndAJointGroupIsWaitedFor() {
    assertEquals(new MoveRepair.Step.RemoveLearner(ReplicaKey.of("g100", "n5")),
        MoveRepair.next(keys("n1", "n2", "n3", "n5"), withLearner("n5", "n1", "n2", "n3"), "n1", "n4", Optional.empty()));
    // A learner on the target while the target already has a voter: removed, not promoted.
    assertEquals(new MoveRepair.Step.RemoveLearner(ReplicaKey.of("g100", "n4.1")),
        MoveRepair.next(keys("n2", "n3", "n4", "n4.1"), withLearner("n4.1", "n2", "n3", "n4"), "n2", "n4", Optional.empty()));
    Membership joint = new Membership(ids("n2", "n3", "n4"), List.of(), ids("n1", "n2", "n3"));
    assertTrue(MoveRepair.next(keys("n1", "n2", "n3", "n4"), joint, "n1", "n4", BEFORE_N4) instanceof MoveRepair.Step.WaitForJoint);
  }

  @Test
  void aVoterIsRemovedOnlyWhenAMoveListedTheTargetAndTheGroupGrewByOne() {
    // A group of four from its Join (n4 came with it): a move n1 -> n4 removes nothing.
    assertEquals(MoveRepair.NONE,
        MoveRepair.next(keys("n1", "n2", "n3", "n4"), voters("n1", "n2", "n3", "n4"), "n1", "n4", Optional.empty()));
    // n4 was listed by a finished move (n1 -> n4 earlier); asking n2 -> n4 must not shrink the group to two.
    assertEquals(MoveRepair.NONE,
        MoveRepair.next(keys("n2", "n3", "n4"), voters("n2", "n3", "n4"), "n2", "n4", Optional.of(keys("n1", "n2", "n3"))));
    // Grown by one but the source was not in the group before the target came: not this move's leftover.
    assertEquals(MoveRepair.NONE,
        MoveRepair.next(keys("n2", "n3", "n4", "n5"), voters("n2", "n3", "n4", "n5"), "n5", "n4", Optional.of(keys("n2", "n3", "n4"))));
    // A clean group: nothing.
    assertEquals(MoveRepair.NONE, MoveRepair.next(keys("n1", "n2", "n3"), voters("n1", "n2", "n3"), "n1", "n4", Optional.empty()));
  }
}
