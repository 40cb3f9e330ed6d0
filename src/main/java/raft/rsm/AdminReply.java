package raft.rsm;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Optional;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.TransferResult;
import raft.message.Membership;
import raft.peer.MembershipStatus;
import wire.CborSerializable;

/**
 * The answer of a replica to an operator's request about its group (members, a membership
 * change, a leadership transfer): a result, or a typed reason why not. Nothing is ever half
 * done: every refusal changed nothing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AdminReply.Members.class, name = "Members"),
  @JsonSubTypes.Type(value = AdminReply.Changed.class, name = "Changed"),
  @JsonSubTypes.Type(value = AdminReply.TransferStarted.class, name = "TransferStarted"),
  @JsonSubTypes.Type(value = AdminReply.MembershipRefused.class, name = "MembershipRefused"),
  @JsonSubTypes.Type(value = AdminReply.TransferRefused.class, name = "TransferRefused"),
  @JsonSubTypes.Type(value = AdminReply.NotLeader.class, name = "NotLeader"),
  @JsonSubTypes.Type(value = AdminReply.TransferInProgress.class, name = "TransferInProgress"),
  @JsonSubTypes.Type(value = AdminReply.Unavailable.class, name = "Unavailable"),
})
public sealed interface AdminReply extends CborSerializable {
  /** The membership as the answering replica sees it. */
  record Members(MembershipStatus status) implements AdminReply {}

  /** The change is committed and applied on the leader: {@code membership} is in force from {@code index} on. */
  record Changed(Membership membership, long index) implements AdminReply {}

  /** The leader is catching {@code target} up and will then tell it to campaign. */
  record TransferStarted(PeerId target) implements AdminReply {}

  /** The change was refused for {@code reason} (about {@code peer}); nothing changed. */
  record MembershipRefused(MembershipRefusal reason, Optional<PeerId> peer) implements AdminReply {}

  /** The transfer was refused for {@code reason} (to {@code target}, if one was named); nothing changed. */
  record TransferRefused(TransferResult.Reason reason, Optional<PeerId> target) implements AdminReply {}

  /**
   * This replica does not lead (or stopped leading before the change was applied: it may still
   * be applied by the next leader; ask for the members before retrying); the hint names the leader it knows.
   */
  record NotLeader(Optional<PeerId> leaderHint) implements AdminReply {}

  /** The leader is handing leadership to {@code target}; retry there shortly. */
  record TransferInProgress(PeerId target) implements AdminReply {}

  /** No replica answered in time, or none leads; {@code reason} is for people. */
  record Unavailable(String reason) implements AdminReply {}
}
