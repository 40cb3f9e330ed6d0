package shardctrl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import wire.CborSerializable;

/**
 * The operations of the shard controller: the lab's Join, Leave, Move and Query, the two steps
 * of a replica move ({@link AddServer}, {@link RemoveServer}) that change a group's servers and no
 * shard, the same two steps for the controller's own replicas ({@link AddController}, {@link
 * RemoveController}, read by {@link QueryControllers}), and the node registry ({@link RegisterNode},
 * {@link Nodes}) that changes no configuration.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CtrlCommand.Join.class, name = "Join"),
  @JsonSubTypes.Type(value = CtrlCommand.Leave.class, name = "Leave"),
  @JsonSubTypes.Type(value = CtrlCommand.Move.class, name = "Move"),
  @JsonSubTypes.Type(value = CtrlCommand.Query.class, name = "Query"),
  @JsonSubTypes.Type(value = CtrlCommand.AddServer.class, name = "AddServer"),
  @JsonSubTypes.Type(value = CtrlCommand.RemoveServer.class, name = "RemoveServer"),
  @JsonSubTypes.Type(value = CtrlCommand.RegisterNode.class, name = "RegisterNode"),
  @JsonSubTypes.Type(value = CtrlCommand.Nodes.class, name = "Nodes"),
  @JsonSubTypes.Type(value = CtrlCommand.AddController.class, name = "AddController"),
  @JsonSubTypes.Type(value = CtrlCommand.RemoveController.class, name = "RemoveController"),
  @JsonSubTypes.Type(value = CtrlCommand.QueryControllers.class, name = "QueryControllers"),
})
public sealed interface CtrlCommand extends CborSerializable {

  /** Whether the command only reads. */
  @JsonIgnore
  default boolean isRead() {
    return false;
  }

  /**
   * Why the command is malformed whatever the configuration (checked before it reaches the log,
   * and again when applied), or empty if it is well formed.
   */
  Optional<CtrlReply> malformed(int nShards);

  /**
   * Adds the groups (gid to its servers) and rebalances: {@link CtrlReply.Config} with the new
   * configuration. Refused if a gid is 0 or negative or already a group, or a group has no servers
   * (or a blank or over-long server name).
   */
  record Join(SortedMap<Integer, List<String>> groups) implements CtrlCommand {
    public Join {
      TreeMap<Integer, List<String>> copy = new TreeMap<>();
      groups.forEach((gid, servers) -> copy.put(gid, List.copyOf(servers)));
      groups = Collections.unmodifiableSortedMap(copy);
    }

    /** Longest server name a group may list. */
    public static final int MAX_SERVER_NAME = 1024;

    static boolean invalidServer(String s) {
      return s == null || s.isBlank() || s.length() > MAX_SERVER_NAME;
    }

    /** From any map: the order of its entries does not matter. */
    public static Join of(Map<Integer, List<String>> groups) {
      return new Join(new TreeMap<>(groups));
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (groups.isEmpty()) return Optional.of(new CtrlReply.EmptyRequest());
      for (var e : groups.entrySet()) {
        if (e.getKey() <= 0) return Optional.of(new CtrlReply.InvalidGid(e.getKey()));
        if (e.getValue().isEmpty() || e.getValue().stream().anyMatch(Join::invalidServer)) {
          return Optional.of(new CtrlReply.InvalidServers(e.getKey()));
        }
      }
      return Optional.empty();
    }
  }

  /** Removes the groups and rebalances: {@link CtrlReply.Config}. Refused if a gid is not a group. */
  record Leave(SortedSet<Integer> gids) implements CtrlCommand {
    public Leave {
      gids = Collections.unmodifiableSortedSet(new TreeSet<>(gids));
    }

    public static Leave of(Integer... gids) {
      return new Leave(new TreeSet<>(List.of(gids)));
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (gids.isEmpty()) return Optional.of(new CtrlReply.EmptyRequest());
      for (int gid : gids) if (gid <= 0) return Optional.of(new CtrlReply.InvalidGid(gid));
      return Optional.empty();
    }
  }

  /**
   * Puts {@code shard} on group {@code gid}, without rebalancing the others: {@link
   * CtrlReply.Config}. Refused if the shard is out of range or the gid is not a group.
   */
  record Move(int shard, int gid) implements CtrlCommand {
    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (shard < 0 || shard >= nShards) return Optional.of(new CtrlReply.ShardOutOfRange(shard, nShards));
      if (gid <= 0) return Optional.of(new CtrlReply.InvalidGid(gid));
      return Optional.empty();
    }
  }

  /**
   * Configuration {@code num}; the latest one if {@code num} is -1 or past the latest:
   * {@link CtrlReply.Config}. A number below -1 is refused.
   */
  record Query(long num) implements CtrlCommand {
    public static final Query LATEST = new Query(-1);

    @Override
    public boolean isRead() {
      return true;
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return num < -1 ? Optional.of(new CtrlReply.InvalidConfigNum(num)) : Optional.empty();
    }
  }

  /**
   * Lists {@code server} among group {@code gid}'s servers, shards unchanged: {@link CtrlReply.Config}.
   * The first step of a replica move, before the replica exists, so the controller's history records
   * every server a group ever had and a name is never handed out twice. Refused {@link
   * CtrlReply.UnknownGid}, or {@link CtrlReply.ServerUsedBefore} if any configuration ever listed it
   * for this group (the current one included).
   */
  record AddServer(int gid, String server) implements CtrlCommand {
    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return malformedServer(gid, server);
    }
  }

  /**
   * Drops {@code server} from group {@code gid}'s servers, shards unchanged: {@link CtrlReply.Config}.
   * The last step of a replica move, once the group's Raft membership no longer has it. Refused
   * {@link CtrlReply.UnknownGid}, {@link CtrlReply.UnknownServer} if the group does not list it, or
   * {@link CtrlReply.Rejected} for its last server.
   */
  record RemoveServer(int gid, String server) implements CtrlCommand {
    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return malformedServer(gid, server);
    }
  }

  /**
   * Records node {@code node} at {@code address} ({@code host:port} of its Akka remoting), so every
   * node and the allocation strategy can place replicas on it: {@link CtrlReply.Nodes} with every
   * registered node. Makes no configuration (nothing moves, no group applies anything); the same
   * name with the same address again changes nothing. Refused {@link CtrlReply.NodeNameInUse} if
   * the name is registered with another address: node names are unique.
   */
  record RegisterNode(String node, String address) implements CtrlCommand {
    /** The node names {@code raftkv.sharded.nodes} accepts. */
    public static boolean validName(String node) {
      return node != null && node.matches("[A-Za-z0-9_-]{1,64}");
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (!validName(node)) return Optional.of(new CtrlReply.Rejected("node name '" + node + "' must be 1-64 letters, digits, '-' or '_'"));
      if (address == null || !address.matches("[^:\\s]{1,255}:\\d{1,5}"))
        return Optional.of(new CtrlReply.Rejected("node " + node + ": address must be host:port, was '" + address + "'"));
      return Optional.empty();
    }
  }

  /** Every registered node, name to {@code host:port}: {@link CtrlReply.Nodes}. */
  record Nodes() implements CtrlCommand {
    public static final Nodes ALL = new Nodes();

    @Override
    public boolean isRead() {
      return true;
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return Optional.empty();
    }
  }

  /**
   * Lists {@code server} among the controller's own servers: {@link CtrlReply.Controllers}. The
   * first step of a controller replica move, before the replica exists, so the controller's state
   * is the durable record of every id its group ever used. The first such command seeds the record
   * with {@code bootstrap} (the servers the group was bootstrapped with, from the config file:
   * they voted, so they count as used); later ones ignore it, the record is what counts. Refused
   * {@link CtrlReply.ServerUsedBefore} (gid 0) if the record ever had the name. Also appends a
   * configuration with the same shards and groups, so watchers (every node's placement) hear of it.
   */
  record AddController(String server, List<String> bootstrap) implements CtrlCommand {
    public AddController {
      bootstrap = List.copyOf(bootstrap);
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (Join.invalidServer(server) || bootstrap.isEmpty() || bootstrap.stream().anyMatch(Join::invalidServer))
        return Optional.of(new CtrlReply.InvalidServers(CtrlReply.Controllers.GID));
      return Optional.empty();
    }
  }

  /**
   * Drops {@code server} from the controller's servers (the last step of its move, once the
   * controller's Raft membership no longer has it): {@link CtrlReply.Controllers}, and a new
   * configuration as for {@link AddController}. Refused {@link CtrlReply.UnknownServer} (gid 0) if
   * the record does not list it (or there is no record yet), {@link CtrlReply.Rejected} for the last one.
   */
  record RemoveController(String server) implements CtrlCommand {
    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return Join.invalidServer(server) ? Optional.of(new CtrlReply.InvalidServers(CtrlReply.Controllers.GID)) : Optional.empty();
    }
  }

  /**
   * The controller's servers as recorded: {@link CtrlReply.Controllers}, with no servers while no
   * move has recorded any (the config file's list, its bootstrap, is then the placement).
   */
  record QueryControllers() implements CtrlCommand {
    @Override
    public boolean isRead() {
      return true;
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return Optional.empty();
    }
  }

  /** A gid of 0 or below, or a blank or over-long server name. */
  private static Optional<CtrlReply> malformedServer(int gid, String server) {
    if (gid <= 0) return Optional.of(new CtrlReply.InvalidGid(gid));
    if (Join.invalidServer(server)) return Optional.of(new CtrlReply.InvalidServers(gid));
    return Optional.empty();
  }
}
