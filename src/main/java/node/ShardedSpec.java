package node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import raft.GroupId;
import raft.PeerId;

/**
 * What one sharded node is ({@code raftkv.sharded}): the cluster's nodes (name to {@code host:port}),
 * which of them this process is, where the controller's replicas and the initial shard groups'
 * replicas live. A replica's id is the name of its node ({@link NodePlacement}), so a group's
 * placement is the list of its nodes.
 *
 * @param initialClusterStateNew bootstrap the controller and the initial groups on first start
 *     (etcd's {@code initial-cluster-state=new}); false: never bootstrap (a node replacing a wiped one)
 * @param keyRanges shard boundaries (n-shards - 1 of them); empty: the lab's first byte mod n-shards
 * @param seedNodes {@code host:port} of running nodes this node joins the Akka cluster through; empty:
 *     every node of {@code nodes} is a seed (a node of the initial cluster). A node with seed nodes
 *     joins a running cluster: its {@code nodes} need name only itself (it registers with the
 *     controller, {@link NodeRegistration}), its {@code controller} names nodes it need not know the
 *     address of, and it has no initial groups
 */
public record ShardedSpec(String self, SortedMap<String, String> nodes, List<String> controller,
    SortedMap<Integer, List<String>> groups, Path dataDir, boolean fsync, boolean initialClusterStateNew,
    List<String> keyRanges, List<String> seedNodes) {

  /** The controller's Raft group. */
  public static final GroupId CONTROLLER = GroupId.of("ctrl");

  public ShardedSpec {
    Objects.requireNonNull(self, "self");
    Objects.requireNonNull(dataDir, "dataDir");
    nodes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    controller = List.copyOf(controller);
    TreeMap<Integer, List<String>> g = new TreeMap<>();
    groups.forEach((gid, at) -> g.put(gid, List.copyOf(at)));
    groups = java.util.Collections.unmodifiableSortedMap(g);
    keyRanges = List.copyOf(keyRanges);
    seedNodes = List.copyOf(seedNodes);
  }

  /** A node of the initial cluster: every node of {@code nodes} is a seed. */
  public ShardedSpec(String self, SortedMap<String, String> nodes, List<String> controller,
      SortedMap<Integer, List<String>> groups, Path dataDir, boolean fsync, boolean initialClusterStateNew,
      List<String> keyRanges) {
    this(self, nodes, controller, groups, dataDir, fsync, initialClusterStateNew, keyRanges, List.of());
  }

  /** Whether this node joins a running cluster through {@link #seedNodes} (and registers with its controller). */
  public boolean joining() {
    return !seedNodes.isEmpty();
  }

  /** {@code host:port} of the Akka cluster's seed nodes for this node: its seed nodes, else every node. */
  public List<String> seeds() {
    return joining() ? seedNodes : List.copyOf(nodes.values());
  }

  /** @throws IllegalArgumentException naming the key and the value at fault */
  public ShardedSpec validate() {
    if (nodes.isEmpty()) throw new IllegalArgumentException("nodes: none configured");
    for (Map.Entry<String, String> n : nodes.entrySet()) {
      if (!n.getKey().matches("[A-Za-z0-9_-]+"))
        throw new IllegalArgumentException("nodes: name '" + n.getKey() + "' must be letters, digits, '-' or '_'");
      if (!n.getValue().matches("[^:]+:\\d+"))
        throw new IllegalArgumentException("nodes." + n.getKey() + ": address must be host:port, was '" + n.getValue() + "'");
    }
    if (!nodes.containsKey(self))
      throw new IllegalArgumentException("self = " + self + " is not among the nodes " + nodes.keySet());
    for (String seed : seedNodes) {
      if (!seed.matches("[^:]+:\\d+"))
        throw new IllegalArgumentException("seed-nodes: address must be host:port, was '" + seed + "'");
      if (seed.equals(nodes.get(self)))
        throw new IllegalArgumentException("seed-nodes: " + seed + " is this node's own address; a joining node joins"
            + " through running nodes (leave seed-nodes empty for a node of the initial cluster)");
    }
    if (joining()) {
      checkJoiner();
      return this;
    }
    checkPlacement("controller", controller);
    if (controller.isEmpty()) throw new IllegalArgumentException("controller: no replicas");
    groups.forEach((gid, at) -> {
      if (gid <= 0) throw new IllegalArgumentException("groups: gid " + gid + " must be positive");
      checkPlacement("groups." + gid, at);
      if (at.isEmpty()) throw new IllegalArgumentException("groups." + gid + ": no replicas");
    });
    return this;
  }

  /** A joining node hosts nothing at first: replicas come to it by replica moves. */
  private void checkJoiner() {
    if (controller.isEmpty()) throw new IllegalArgumentException("controller: no replicas (name the running cluster's controller nodes)");
    if (controller.contains(self))
      throw new IllegalArgumentException("controller: a joining node (seed-nodes set) cannot host a controller replica;"
          + " the controller's replicas are fixed when the cluster is created");
    if (controller.stream().distinct().count() != controller.size())
      throw new IllegalArgumentException("controller: a node named twice in " + controller);
    if (!groups.isEmpty())
      throw new IllegalArgumentException("groups: a joining node (seed-nodes set) bootstraps no group, was " + groups.keySet()
          + "; move replicas to it with move-replica or drain-node once it runs");
  }

  private void checkPlacement(String key, List<String> at) {
    Set<String> seen = new HashSet<>();
    for (String n : at) {
      if (!nodes.containsKey(n))
        throw new IllegalArgumentException(key + ": node " + n + " is not among the nodes " + nodes.keySet());
      if (!seen.add(n))
        throw new IllegalArgumentException(key + ": node " + n + " named twice; replicas of one group are on distinct nodes");
    }
  }

  /** The Raft group of shard group {@code gid}: {@code g<gid>}. */
  public static GroupId groupOf(int gid) {
    return GroupId.of("g" + gid);
  }

  /** The gid of a shard group's Raft group ({@code g<gid>}); -1 for the controller or another name. */
  public static int gidOf(GroupId group) {
    String id = group.id();
    if (!id.matches("g[1-9][0-9]{0,8}")) return -1;
    return Integer.parseInt(id.substring(1));
  }

  /** The replicas (ids = node names) of a group placed on {@code at}, in order. */
  public static List<PeerId> replicas(List<String> at) {
    List<PeerId> ids = new ArrayList<>();
    for (String n : at) ids.add(PeerId.of(n));
    return ids;
  }

  public String hostPort(String node) {
    String hp = nodes.get(node);
    if (hp == null) throw new IllegalArgumentException("no node " + node + " among " + nodes.keySet());
    return hp;
  }

  public String host() {
    String hp = hostPort(self);
    return hp.substring(0, hp.lastIndexOf(':'));
  }

  public int port() {
    String hp = hostPort(self);
    return Integer.parseInt(hp.substring(hp.lastIndexOf(':') + 1));
  }

  /** The same cluster seen from node {@code other} (local mode runs every node in one JVM). */
  public ShardedSpec as(String other, Path otherDataDir) {
    return new ShardedSpec(other, nodes, controller, groups, otherDataDir, fsync, initialClusterStateNew, keyRanges,
        seedNodes).validate();
  }
}
