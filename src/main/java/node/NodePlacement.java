package node;

import akka.actor.Address;
import hosting.Placement;
import hosting.ReplicaKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import raft.GroupId;
import raft.PeerId;

/**
 * The placement of a sharded node: a replica's id names its node. Replica {@code n2} (or, for a
 * later replica of the same group on that node, {@code n2.<k>}) of any group lives on node
 * {@code n2} of {@code raftkv.sharded.nodes}, so every node computes the same placement for every
 * replica, including those of groups created at runtime, without waiting for anything to
 * propagate, and a key's node can never change (a replica never moves: a replica move creates a new
 * one under a new id, {@link ReplicaMove}).
 *
 * <p>What is live is the set of groups this node knows of ({@link #learn}: the controller, the
 * initial groups, every group in a configuration the controller applied, groups created through
 * this node): the {@link hosting.ReplicaWaker} wakes the local replicas of those, and the allocation
 * strategy checks their replicas for two on one node.
 *
 * <p>The nodes are those of this node's {@code raftkv.sharded.nodes} plus those registered with the
 * controller ({@link #register}, kept up to date by {@link NodeRegistration}): a node that joins a
 * running cluster is placeable everywhere once registered, with no other node's file changed. Where
 * both name a node, the registered address wins (the controller's record is the one all nodes share).
 */
public final class NodePlacement implements Placement {
  private final Map<String, Address> nodes;
  private final Map<GroupId, List<PeerId>> known = new ConcurrentHashMap<>();
  private final Map<String, Address> registered = new ConcurrentHashMap<>();

  /** @param nodes node name to its ActorSystem's address */
  public NodePlacement(Map<String, Address> nodes) {
    this.nodes = Map.copyOf(nodes);
  }

  /** From {@code raftkv.sharded}: the nodes' addresses in the ActorSystem {@code system}. */
  public static NodePlacement of(ShardedSpec spec, String system) {
    Map<String, Address> nodes = new LinkedHashMap<>();
    spec.nodes().forEach((name, hp) -> nodes.put(name, address(system, hp)));
    NodePlacement p = new NodePlacement(nodes);
    p.learn(ShardedSpec.CONTROLLER, ShardedSpec.replicas(spec.controller()));
    spec.groups().forEach((gid, at) -> p.learn(ShardedSpec.groupOf(gid), ShardedSpec.replicas(at)));
    return p;
  }

  static Address address(String system, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new Address("akka", system, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The node a replica id names: the part before the first '.'. */
  public static String nodeName(PeerId replica) {
    String id = replica.id();
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }

  /** The address of node {@code name}, if the cluster has it (registered, else from the config file). */
  public Optional<Address> node(String name) {
    Address r = registered.get(name);
    return Optional.ofNullable(r != null ? r : nodes.get(name));
  }

  /** The names of the cluster's nodes (config file and registered), sorted. */
  public java.util.SortedSet<String> nodeNames() {
    java.util.SortedSet<String> names = new java.util.TreeSet<>(nodes.keySet());
    names.addAll(registered.keySet());
    return names;
  }

  /**
   * Adds the nodes the controller has registered (name to {@code host:port}); a name never leaves
   * the registry, so nothing is removed. Returns the names that were not placeable before.
   */
  public java.util.SortedSet<String> register(Map<String, String> hostPorts, String system) {
    java.util.SortedSet<String> added = new java.util.TreeSet<>();
    hostPorts.forEach((name, hp) -> {
      Address a = address(system, hp);
      Address before = node(name).orElse(null);
      if (registered.put(name, a) == null && before == null) added.add(name);
      if (before != null && !before.equals(a))
        org.slf4j.LoggerFactory.getLogger(NodePlacement.class).warn(
            "node {} is registered with the controller at {}, not at {} as configured here: placing its replicas at {}",
            name, a, before, a);
    });
    return added;
  }

  /**
   * Remembers {@code group} and its replicas as now: a replica move adds one and later drops
   * another (the allocation strategy checks the new one against these; the waker wakes these).
   */
  public void learn(GroupId group, List<PeerId> replicas) {
    known.put(group, List.copyOf(replicas));
  }

  @Override
  public Set<GroupId> groups() {
    return Set.copyOf(known.keySet());
  }

  @Override
  public Map<PeerId, Address> replicasOf(GroupId group) {
    Map<PeerId, Address> out = new TreeMap<>();
    for (PeerId r : known.getOrDefault(group, List.of())) nodeOf(new ReplicaKey(group, r)).ifPresent(a -> out.put(r, a));
    return out;
  }

  @Override
  public Optional<Address> nodeOf(ReplicaKey key) {
    return node(nodeName(key.replica()));
  }

  @Override
  public String toString() {
    Map<GroupId, List<PeerId>> sorted = new TreeMap<>(java.util.Comparator.comparing(GroupId::id)); // GroupId is not Comparable
    sorted.putAll(known);
    return "NodePlacement" + nodeNames() + " knowing " + sorted;
  }
}
