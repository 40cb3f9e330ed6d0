package node.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.KeyRanges;

/** The JSON bodies of the sharded admin API ({@link ShardAdminRoutes}) and how a controller answer maps to one. */
final class ShardAdminJson {
  private ShardAdminJson() {}

  /** A configuration: {@code shards.get(s)} is the gid serving shard s; {@code groups}: gid to its servers. */
  record Config(long num, List<Integer> shards, Map<String, List<String>> groups) {}

  /**
   * GET /admin/watch: {@code changed} false (only {@code num}, the latest) when no newer
   * configuration was applied in time; else the configuration, with each shard's key range
   * ({@code ranges.get(s)}) if keys map by range.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Watched(boolean changed, long num, List<Integer> shards, Map<String, List<String>> groups, List<KeyRange> ranges) {}

  /** The keys of one shard, {@code [from, to)}; {@code to} absent: unbounded above. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record KeyRange(String from, String to) {}

  /**
   * One shard in GET /admin/shard(/{id}): {@code status} the owner's state (a {@link shardkv.ShardStatus}
   * name), {@code UNASSIGNED} (gid 0) or {@code UNKNOWN} (no replica of the owner answered);
   * {@code applied} the configuration the owner has applied; {@code num} only for one shard alone.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Shard(Long num, int shard, KeyRange range, int gid, String status, Long applied, String leader) {}

  /** GET /admin/shard: every shard of configuration {@code num}. */
  record Shards(long num, List<Shard> shards) {}

  /** One shard at one replica in GET /admin/groups/{gid}/shards: its state there and the keys held for it. */
  record HeldShard(int shard, String status, int keys) {}

  /** One replica in GET /admin/groups/{gid}/shards; {@code applied} and {@code shards} absent if it did not answer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Replica(String server, boolean leader, Long applied, List<HeldShard> shards) {}

  /** GET /admin/groups/{gid}/shards: the shards the group owns in configuration {@code num}, and each replica's view. */
  record GroupShards(long num, int gid, List<Integer> owned, List<Replica> replicas) {}

  static GroupShards groupShards(ShardConfig config, int gid, List<node.ReplicaShards> replicas) {
    List<Integer> owned = new ArrayList<>();
    for (int s = 0; s < config.nShards(); s++) if (config.gidOf(s) == gid) owned.add(s);
    List<Replica> out = new ArrayList<>();
    for (node.ReplicaShards r : replicas) {
      out.add(r.shards().map(sh -> {
        List<HeldShard> held = new ArrayList<>();
        for (int s = 0; s < sh.statuses().size(); s++) held.add(new HeldShard(s, sh.statuses().get(s).name(), sh.keys().get(s)));
        return new Replica(r.server(), r.leader(), sh.configNum(), held);
      }).orElse(new Replica(r.server(), r.leader(), null, null)));
    }
    return new GroupShards(config.num(), gid, owned, out);
  }

  /** POST /admin/groups: a new group and the nodes of its replicas. */
  record NewGroup(Integer gid, List<String> nodes) {}

  /**
   * A drain's answer: what moved, what is left on the node, what it does not move; on a stop,
   * also the {@code code} and {@code error} of the refusal or failure that stopped it.
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record Drain(String node, boolean done, List<String> moved, List<String> left,
      @com.fasterxml.jackson.annotation.JsonProperty("not_moved") List<String> notMoved, ErrorCode code, String error) {}

  /** A controller replica move's answer: the controller's servers now, at configuration {@code num}. */
  record Controllers(long num, List<String> controller) {}

  /** GET /admin/nodes: per node, Up or not and its replicas; per gid, the move running through this node. */
  record Nodes(long num, Map<String, node.NodeReplicas.Node> nodes, Map<String, String> moving) {}

  static Nodes nodes(node.NodeReplicas n) {
    Map<String, String> moving = new TreeMap<>();
    // gid 0: the controller's own group
    n.moving().forEach((gid, what) -> moving.put(gid == CtrlReply.Controllers.GID ? ShardAdminRoutes.CONTROLLER
        : Integer.toString(gid), what));
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

  /** The range of every shard, in shard order; null without a range mapping. */
  static List<KeyRange> ranges(Optional<KeyRanges> ranges) {
    if (ranges.isEmpty()) return null;
    KeyRanges k = ranges.get();
    List<KeyRange> out = new ArrayList<>();
    for (int s = 0; s < k.nShards(); s++) out.add(range(k, s));
    return out;
  }

  static KeyRange range(KeyRanges k, int shard) {
    return new KeyRange(k.start(shard), shard + 1 < k.nShards() ? k.start(shard + 1) : null);
  }

  static Shard shard(Long num, node.ShardState s, Optional<KeyRanges> ranges) {
    String status = s.gid() == ShardConfig.NO_GROUP ? "UNASSIGNED" : s.status().map(Enum::name).orElse("UNKNOWN");
    return new Shard(num, s.shard(), ranges.map(k -> range(k, s.shard())).orElse(null), s.gid(), status,
        s.appliedNum() < 0 ? null : s.appliedNum(), s.leader().orElse(null));
  }

  static Shards shards(long num, List<node.ShardState> states, Optional<KeyRanges> ranges) {
    return new Shards(num, states.stream().map(s -> shard(null, s, ranges)).toList());
  }

  /** A watch's answer: a newer configuration, or none in time ({@code Unchanged}); anything else as {@link #reply}. */
  static ApiJson.Answer watched(CtrlReply r, Optional<KeyRanges> ranges) {
    if (r instanceof CtrlReply.Unchanged u) return ApiJson.Answer.ok(new Watched(false, u.latestNum(), null, null, null));
    if (!(r instanceof CtrlReply.Config c)) return reply(r);
    Config j = config(c.config());
    return ApiJson.Answer.ok(new Watched(true, j.num(), j.shards(), j.groups(), ranges(ranges)));
  }

  /** "group 100", or "the controller" for gid 0 (a replica move's refusals about the controller's own group). */
  private static String group(int gid) {
    return gid == CtrlReply.Controllers.GID ? "the controller" : "group " + gid;
  }

  static ApiJson.Answer reply(CtrlReply r) {
    if (r instanceof CtrlReply.Config c) return ApiJson.Answer.ok(config(c.config()));
    if (r instanceof CtrlReply.Controllers c) return ApiJson.Answer.ok(new Controllers(c.num(), c.servers()));
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
      return ApiJson.Answer.error(ErrorCode.NO_REPLICA_ON_NODE, group(n.gid()) + " has no replica on node " + n.node());
    if (r instanceof CtrlReply.ReplicaOnNode n) return ApiJson.Answer.error(ErrorCode.REPLICA_ON_NODE,
        "node " + n.node() + " already hosts a replica of " + group(n.gid()) + "; replicas of a group are on distinct nodes");
    if (r instanceof CtrlReply.MoveInProgress m)
      return ApiJson.Answer.error(ErrorCode.MOVE_IN_PROGRESS, "a move of " + group(m.gid()) + " is under way: " + m.detail());
    if (r instanceof CtrlReply.ServerUsedBefore u)
      return ApiJson.Answer.error(ErrorCode.CONFLICT, "server " + u.server() + " was listed for group " + u.gid() + " before");
    if (r instanceof CtrlReply.UnknownServer u)
      return ApiJson.Answer.error(ErrorCode.NOT_FOUND, "group " + u.gid() + " lists no server " + u.server());
    if (r instanceof CtrlReply.NodeNameInUse u) return ApiJson.Answer.error(ErrorCode.CONFLICT,
        "node name " + u.node() + " is registered at " + u.registeredAddress() + ", not " + u.address());
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
