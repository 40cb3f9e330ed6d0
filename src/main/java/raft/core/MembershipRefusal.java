package raft.core;

/** Why a membership change was refused; nothing was changed. */
public enum MembershipRefusal {
  /** The change list was empty, or changes nothing. */
  NO_CHANGE,
  /** Another change is in the log but not yet applied: one at a time. */
  CHANGE_PENDING,
  /** No entry of the leader's own term has committed yet (thesis §4.1: the leader must first know its log is current). */
  NO_COMMIT_IN_TERM,
  /** The group is in joint consensus; it leaves it on its own, then takes the next change (entering joint twice is refused). */
  JOINT_IN_PROGRESS,
  /** The peer to add is already a voter or learner. */
  ALREADY_MEMBER,
  /** The peer to remove is neither voter nor learner. */
  NOT_A_MEMBER,
  /** The peer to promote is not a learner. */
  NOT_A_LEARNER,
  /** The learner to promote is more than {@code learnerCatchUpEntries} behind the leader's last index. */
  LEARNER_BEHIND,
  /** The change would leave no voter. */
  LAST_VOTER,
  /** A voter cannot become a learner in the same change (demotion is not supported). */
  DEMOTION_UNSUPPORTED
}
