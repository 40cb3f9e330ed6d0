package shardctrl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
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
  @JsonSubTypes.Type(value = CtrlReply.SessionExpired.class, name = "SessionExpired"),
  @JsonSubTypes.Type(value = CtrlReply.ServerUsedBefore.class, name = "ServerUsedBefore"),
  @JsonSubTypes.Type(value = CtrlReply.UnknownServer.class, name = "UnknownServer"),
  @JsonSubTypes.Type(value = CtrlReply.UnknownNode.class, name = "UnknownNode"),
  @JsonSubTypes.Type(value = CtrlReply.NoReplicaOnNode.class, name = "NoReplicaOnNode"),
  @JsonSubTypes.Type(value = CtrlReply.ReplicaOnNode.class, name = "ReplicaOnNode"),
  @JsonSubTypes.Type(value = CtrlReply.MoveInProgress.class, name = "MoveInProgress"),
  @JsonSubTypes.Type(value = CtrlReply.Nodes.class, name = "Nodes"),
  @JsonSubTypes.Type(value = CtrlReply.NodeNameInUse.class, name = "NodeNameInUse"),
  @JsonSubTypes.Type(value = CtrlReply.Controllers.class, name = "Controllers"),
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

  /**
   * The controller's own servers as its state records them (entity ids, {@code ctrl|n1}), with the
   * number of the latest configuration; {@code servers} is empty while no controller move has
   * recorded any (then the config file's list is the placement).
   */
  record Controllers(long num, List<String> servers) implements CtrlReply {
    /** The gid refusals about the controller's servers carry: 0, which no shard group has. */
    public static final int GID = 0;

    public Controllers {
      servers = List.copyOf(servers);
    }

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

  /** The registered nodes, name to {@code host:port} (the answer of RegisterNode and of the Nodes query). */
  record Nodes(java.util.SortedMap<String, String> nodes) implements CtrlReply {
    public Nodes {
      nodes = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(nodes));
    }

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

  /** AddServer of a server that some configuration already listed for the group: names are used once. */
  record ServerUsedBefore(int gid, String server) implements Refusal {}

  /** RemoveServer of a server the group does not list. */
  record UnknownServer(int gid, String server) implements Refusal {}

  /** A replica move (admin, not the controller's state machine) naming a node the cluster does not have. */
  record UnknownNode(String node) implements Refusal {}

  /** A replica move from a node that hosts no replica of the group. */
  record NoReplicaOnNode(int gid, String node) implements Refusal {}

  /** A replica move to a node that already hosts a replica of the group (replicas of a group are on distinct nodes). */
  record ReplicaOnNode(int gid, String node) implements Refusal {}

  /** A replica move of a group whose earlier move is still running through this node, or that is still mid-change after the repair steps of a move asked again. */
  record MoveInProgress(int gid, String detail) implements Refusal {}

  /** RegisterNode of a name already registered with another address: node names are unique. */
  record NodeNameInUse(String node, String registeredAddress, String address) implements Refusal {}

  /** This server does not lead the controller group; try the hinted one (or another) with the same sequence number. */
  record WrongLeader(Optional<PeerId> leaderHint) implements CtrlReply {}

  /** The server holds too many proposals; retry shortly. */
  record Busy() implements CtrlReply {}

  /** The request is malformed at the transport level (e.g. a write without a sequence number). */
  record Rejected(String reason) implements CtrlReply {}

  /** No answer in time; a write may or may not have been applied. */
  record Timeout() implements CtrlReply {}

  /** The servers forgot this client's session ({@code raft.rsm.ClientSessions}); the write was not applied. */
  record SessionExpired() implements CtrlReply {}

  SessionExpired SESSION_EXPIRED = new SessionExpired();

  Busy BUSY = new Busy();
  Timeout TIMEOUT = new Timeout();
}
