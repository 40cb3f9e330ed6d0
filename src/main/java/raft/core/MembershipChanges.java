package raft.core;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.Membership;
import raft.message.MembershipChange;

/**
 * The leader's checks and arithmetic for a proposed membership change (etcd's {@code confchange}
 * package, over whole memberships): every rule refuses with a {@link MembershipRefusal} and
 * changes nothing; an accepted change is one log entry holding the membership it leads to.
 *
 * <p>At most one voter added or removed: the simple protocol, the new membership directly (any two
 * majorities of memberships one voter apart overlap). More: joint consensus, a membership with the
 * new voters incoming and the current ones outgoing; the leader leaves it by itself once applied
 * ({@link LeaderRole#maybeLeaveJoint}).
 */
final class MembershipChanges {
  private MembershipChanges() {}

  static ProposeResult propose(RaftNode n, LeaderRole l, List<MembershipChange> changes) {
    RaftConfig.UnsafeRule unsafe = n.config().unsafeRule();
    Membership current = n.membership();
    if (changes.isEmpty()) return refused(MembershipRefusal.NO_CHANGE, null);
    if (current.isJoint() && unsafe != RaftConfig.UnsafeRule.ENTER_JOINT_TWICE)
      return refused(MembershipRefusal.JOINT_IN_PROGRESS, null);
    boolean unsafeJointAgain = unsafe == RaftConfig.UnsafeRule.ENTER_JOINT_TWICE && current.isJoint();
    if (l.pendingConfIndex > n.log.applied() && unsafe != RaftConfig.UnsafeRule.TWO_PENDING_CHANGES && !unsafeJointAgain)
      return refused(MembershipRefusal.CHANGE_PENDING, null);
    if (n.log.committed() < l.termStartIndex) return refused(MembershipRefusal.NO_COMMIT_IN_TERM, null);
    TreeSet<PeerId> voters = new TreeSet<>(current.voters());
    TreeSet<PeerId> learners = new TreeSet<>(current.learners());
    long caughtUp = n.log.lastIndex() - n.config().learnerCatchUpEntries();
    for (MembershipChange c : changes) {
      PeerId p = c.peer();
      if (c instanceof MembershipChange.AddVoter || c instanceof MembershipChange.AddLearner) {
        if (voters.contains(p) || learners.contains(p)) return refused(MembershipRefusal.ALREADY_MEMBER, p);
        if (c instanceof MembershipChange.AddVoter) voters.add(p);
        else if (current.outgoing().contains(p) || current.voters().contains(p))
          return refused(MembershipRefusal.DEMOTION_UNSUPPORTED, p);
        else learners.add(p);
      } else if (c instanceof MembershipChange.PromoteLearner) {
        if (!learners.contains(p)) return refused(MembershipRefusal.NOT_A_LEARNER, p);
        Progress pr = l.progress(p);
        if (pr == null || pr.match < caughtUp) return refused(MembershipRefusal.LEARNER_BEHIND, p);
        learners.remove(p);
        voters.add(p);
      } else if (c instanceof MembershipChange.Remove) {
        if (!voters.remove(p) && !learners.remove(p)) return refused(MembershipRefusal.NOT_A_MEMBER, p);
      }
    }
    if (voters.isEmpty()) return refused(MembershipRefusal.LAST_VOTER, null);
    TreeSet<PeerId> changed = new TreeSet<>(voters);
    changed.addAll(current.voters());
    TreeSet<PeerId> kept = new TreeSet<>(voters);
    kept.retainAll(current.voters());
    changed.removeAll(kept);
    Membership next;
    if (changed.size() <= 1 && !current.isJoint()) {
      next = new Membership(List.copyOf(voters), List.copyOf(learners), List.of());
    } else {
      // Joint: decisions need a majority of the new voters and of the current ones. (From a joint
      // membership only under the ENTER_JOINT_TWICE test rule, which drops the older outgoing half.)
      next = new Membership(List.copyOf(voters), List.copyOf(learners), current.voters());
    }
    if (next.equals(current)) return refused(MembershipRefusal.NO_CHANGE, null);
    long index = l.appendMembership(n, next);
    return new ProposeResult.Accepted(index, n.term());
  }

  private static ProposeResult refused(MembershipRefusal reason, PeerId peer) {
    return new ProposeResult.MembershipRefused(reason, Optional.ofNullable(peer));
  }
}
