package node.http;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/** The JSON bodies of the sharded admin API ({@link ShardAdminRoutes}) and how a controller answer maps to one. */
final class ShardAdminJson {
  private ShardAdminJson() {}

  /** A configuration: {@code shards.get(s)} is the gid serving shard s; {@code groups}: gid to its servers. */
  record Config(long num, List<Integer> shards, Map<String, List<String>> groups) {}

  /** POST /admin/groups: a new group and the nodes of its replicas. */
  record NewGroup(Integer gid, List<String> nodes) {}

  /**
   * A drain's answer: what moved, what is left on the node, what it does not move; on a stop,
   * also the {@code code} and {@code error} of the refusal or failure that stopped it.
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record Drain(String node, boolean done, List<String> moved, List<String> left,
      @com.fasterxml.jackson.annotation.JsonProperty("not_moved") List<String> notMoved, ErrorCode code, String error) {}

  /** GET /admin/nodes: per node, Up or not and its replicas; per gid, the move running through this node. */
  record Nodes(long num, Map<String, node.NodeReplicas.Node> nodes, Map<String, String> moving) {}

  static Nodes nodes(node.NodeReplicas n) {
    Map<String, String> moving = new TreeMap<>();
    n.moving().forEach((gid, what) -> moving.put(Integer.toString(gid), what));
    return new Nodes(n.configNum(), n.nodes(), moving);
  }

  static ApiJson.Answer drain(node.NodeDrain d) {
    if (d.stoppedBy() == null)
      return ApiJson.Answer.ok(new Drain(d.node(), d.done(), d.moved(), d.left(), d.notMoved(), null, null));
    ApiJson.Answer stop = reply(d.stoppedBy());
    ApiJson.Error e = stop.body() instanceof ApiJson.Error err ? err : new ApiJson.Error(ErrorCode.INTERNAL, "stopped by " + d.stoppedBy());
    ErrorCode code = e.code();
    return ApiJson.Answer.of(code, new Drain(d.node(), false, d.moved(), d.left(), d.notMoved(), code, e.error()));
  }

  static Config config(ShardConfig c) {
    Map<String, List<String>> groups = new TreeMap<>();
    c.groups().forEach((gid, servers) -> groups.put(Integer.toString(gid), servers));
    return new Config(c.num(), c.shards(), groups);
  }

  static ApiJson.Answer reply(CtrlReply r) {
    if (r instanceof CtrlReply.Config c) return ApiJson.Answer.ok(config(c.config()));
    if (r instanceof CtrlReply.GidInUse g) return ApiJson.Answer.error(ErrorCode.GID_IN_USE, "group " + g.gid() + " is already in the configuration");
    if (r instanceof CtrlReply.UnknownGid g) return ApiJson.Answer.error(ErrorCode.UNKNOWN_GROUP, "no group " + g.gid() + " in the configuration");
    if (r instanceof CtrlReply.InvalidGid g) return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, "gid must be positive, was " + g.gid());
    if (r instanceof CtrlReply.InvalidServers g) return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, "invalid servers for group " + g.gid());
    if (r instanceof CtrlReply.ShardOutOfRange s)
      return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, "shard " + s.shard() + " out of range: there are " + s.nShards());
    if (r instanceof CtrlReply.InvalidConfigNum n) return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, "invalid configuration number " + n.num());
    if (r instanceof CtrlReply.EmptyRequest) return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, "empty request");
    if (r instanceof CtrlReply.UnknownNode n) return ApiJson.Answer.error(ErrorCode.UNKNOWN_NODE, "no node " + n.node() + " in this cluster");
    if (r instanceof CtrlReply.NoReplicaOnNode n)
      return ApiJson.Answer.error(ErrorCode.NO_REPLICA_ON_NODE, "group " + n.gid() + " has no replica on node " + n.node());
    if (r instanceof CtrlReply.ReplicaOnNode n) return ApiJson.Answer.error(ErrorCode.REPLICA_ON_NODE,
        "node " + n.node() + " already hosts a replica of group " + n.gid() + "; replicas of a group are on distinct nodes");
    if (r instanceof CtrlReply.MoveInProgress m)
      return ApiJson.Answer.error(ErrorCode.MOVE_IN_PROGRESS, "a move of group " + m.gid() + " is under way: " + m.detail());
    if (r instanceof CtrlReply.ServerUsedBefore u)
      return ApiJson.Answer.error(ErrorCode.CONFLICT, "server " + u.server() + " was listed for group " + u.gid() + " before");
    if (r instanceof CtrlReply.UnknownServer u)
      return ApiJson.Answer.error(ErrorCode.NOT_FOUND, "group " + u.gid() + " lists no server " + u.server());
    if (r instanceof CtrlReply.Rejected rej) return ApiJson.Answer.error(ErrorCode.BAD_REQUEST, rej.reason());
    if (r instanceof CtrlReply.Busy) return ApiJson.Answer.error(ErrorCode.BUSY, "the controller is busy");
    if (r instanceof CtrlReply.WrongLeader) return ApiJson.Answer.error(ErrorCode.NO_LEADER, "the controller has no leader");
    if (r instanceof CtrlReply.Timeout)
      return ApiJson.Answer.error(ErrorCode.TIMEOUT, "not done in time; the change may or may not have been made (GET /admin/shards)");
    if (r instanceof CtrlReply.SessionExpired)
      return ApiJson.Answer.error(ErrorCode.SESSION_EXPIRED, "session expired: this change was not applied");
    if (r instanceof CtrlReply.Unchanged u) return ApiJson.Answer.error(ErrorCode.TIMEOUT, "no newer configuration than " + u.latestNum());
    throw new IllegalArgumentException("no HTTP answer for " + r);
  }
}
