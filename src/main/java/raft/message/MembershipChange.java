package raft.message;

import raft.PeerId;
import wire.CborSerializable;

/**
 * One step of a membership change (etcd's {@code ConfChangeSingle}). A list of them is proposed
 * at once: a list that changes at most one voter goes through the simple protocol (one entry),
 * any other list through joint consensus (enter the joint configuration, then leave it).
 */
public sealed interface MembershipChange extends CborSerializable {
  PeerId peer();

  /** A new peer votes from the moment the change is applied (prefer AddLearner, then PromoteLearner). */
  record AddVoter(PeerId peer) implements MembershipChange {}

  /** A new peer receives the log and snapshots but does not vote. */
  record AddLearner(PeerId peer) implements MembershipChange {}

  /** A learner that has caught up with the leader's log becomes a voter. */
  record PromoteLearner(PeerId peer) implements MembershipChange {}

  /** A voter or a learner leaves the group. */
  record Remove(PeerId peer) implements MembershipChange {}
}
