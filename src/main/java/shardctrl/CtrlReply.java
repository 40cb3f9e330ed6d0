package shardctrl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/**
 * Every answer of the shard controller: a configuration ({@link Config}), a watch that saw no
 * change ({@link Unchanged}), a typed refusal that left the configuration unchanged ({@link
 * Refusal}), or the reasons a command was not applied ({@link WrongLeader}, {@link Busy}, {@link
 * Rejected}, {@link Timeout}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CtrlReply.Config.class, name = "Config"),
  @JsonSubTypes.Type(value = CtrlReply.Unchanged.class, name = "Unchanged"),
  @JsonSubTypes.Type(value = CtrlReply.GidInUse.class, name = "GidInUse"),
  @JsonSubTypes.Type(value = CtrlReply.UnknownGid.class, name = "UnknownGid"),
  @JsonSubTypes.Type(value = CtrlReply.InvalidGid.class, name = "InvalidGid"),
  @JsonSubTypes.Type(value = CtrlReply.InvalidServers.class, name = "InvalidServers"),
  @JsonSubTypes.Type(value = CtrlReply.ShardOutOfRange.class, name = "ShardOutOfRange"),
  @JsonSubTypes.Type(value = CtrlReply.InvalidConfigNum.class, name = "InvalidConfigNum"),
  @JsonSubTypes.Type(value = CtrlReply.EmptyRequest.class, name = "EmptyRequest"),
  @JsonSubTypes.Type(value = CtrlReply.WrongLeader.class, name = "WrongLeader"),
  @JsonSubTypes.Type(value = CtrlReply.Busy.class, name = "Busy"),
  @JsonSubTypes.Type(value = CtrlReply.Rejected.class, name = "Rejected"),
  @JsonSubTypes.Type(value = CtrlReply.Timeout.class, name = "Timeout"),
})
public sealed interface CtrlReply extends CborSerializable {

  /** Whether the command was applied (or refused by the state machine) and this is its outcome. */
  @JsonIgnore
  default boolean isResult() {
    return false;
  }

  /**
   * A configuration: the one asked for by Query, the one a Join, Leave or Move made, or the newer
   * one a Watch waited for.
   */
  record Config(ShardConfig config) implements CtrlReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** A Watch timed out with no configuration newer than its {@code afterNum}; {@code latestNum} is the newest seen. */
  record Unchanged(long latestNum) implements CtrlReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** The command is refused; the configuration is unchanged. Retrying the same command cannot help. */
  sealed interface Refusal extends CtrlReply {
    @Override
    default boolean isResult() {
      return true;
    }
  }

  /** Join of a gid that is already a group. */
  record GidInUse(int gid) implements Refusal {}

  /** Leave of, or Move to, a gid that is not a group. */
  record UnknownGid(int gid) implements Refusal {}

  /** A gid of 0 (no group) or below. */
  record InvalidGid(int gid) implements Refusal {}

  /** Join of a group without servers, or with a blank or over-long server name. */
  record InvalidServers(int gid) implements Refusal {}

  /** Move of a shard outside {@code [0, nShards)}. */
  record ShardOutOfRange(int shard, int nShards) implements Refusal {}

  /** Query of a configuration number below -1. */
  record InvalidConfigNum(long num) implements Refusal {}

  /** Join or Leave of no group at all. */
  record EmptyRequest() implements Refusal {}

  /** This server does not lead the controller group; try the hinted one (or another) with the same sequence number. */
  record WrongLeader(Optional<PeerId> leaderHint) implements CtrlReply {}

  /** The server holds too many proposals; retry shortly. */
  record Busy() implements CtrlReply {}

  /** The request is malformed at the transport level (e.g. a write without a sequence number). */
  record Rejected(String reason) implements CtrlReply {}

  /** No answer in time; a write may or may not have been applied. */
  record Timeout() implements CtrlReply {}

  Busy BUSY = new Busy();
  Timeout TIMEOUT = new Timeout();
}
