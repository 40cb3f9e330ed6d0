package raft.core;

import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/** The answer to {@link RaftNode#transferLeadership}. */
public sealed interface TransferResult extends CborSerializable {
  /** Why a transfer was refused; nothing changed. */
  enum Reason {
    /** The target is not in the group. */
    NOT_A_MEMBER,
    /** The target is a learner: it cannot be elected. */
    LEARNER,
    /** The target is this leader. */
    ALREADY_LEADER,
    /** No target was named and the group has no other voter. */
    NO_OTHER_VOTER
  }

  /**
   * The leader catches {@code target} up and then tells it to campaign; until it wins or an
   * election timeout passes, proposals are refused with {@link ProposeResult.TransferInProgress}.
   */
  record Started(PeerId target) implements TransferResult {}

  record NotLeader(Optional<PeerId> leaderHint) implements TransferResult {}

  /** {@code target} is the named peer (empty if none was named). */
  record Refused(Reason reason, Optional<PeerId> target) implements TransferResult {}
}
