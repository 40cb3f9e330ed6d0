package raft.core;

import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/** The answer to a proposal (a command or a membership change): accepted at an index, or a typed reason why not. */
public sealed interface ProposeResult extends CborSerializable {
  /** Appended to the leader's log at index in term; committed only if that entry survives. */
  record Accepted(long index, long term) implements ProposeResult {}

  /** This peer is not the leader; the hint names the leader it last heard from, if any. */
  record NotLeader(Optional<PeerId> leaderHint) implements ProposeResult {}

  /** The command is larger than the configured maximum. */
  record TooLarge(int bytes, int maxBytes) implements ProposeResult {}

  /** The peer holds too many proposals that are not yet durable; retry shortly. */
  record Busy(int pending) implements ProposeResult {}

  /** The leader is handing leadership to {@code target}; retry on the new leader (or here, if the transfer gives up). */
  record TransferInProgress(PeerId target) implements ProposeResult {}

  /** A membership change was refused for {@code reason} (about {@code peer}, if one change is to blame); nothing changed. */
  record MembershipRefused(MembershipRefusal reason, Optional<PeerId> peer) implements ProposeResult {}
}
