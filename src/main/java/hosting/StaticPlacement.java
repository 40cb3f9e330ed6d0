package hosting;

import akka.actor.Address;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import raft.GroupId;
import raft.PeerId;

/**
 * A fixed placement (from a node's configuration, or a test): checked at construction, so two
 * replicas of one group on one node are refused before anything starts.
 */
public final class StaticPlacement implements Placement {
  private final Map<GroupId, Map<PeerId, Address>> groups;

  /** @throws IllegalArgumentException if two replicas of one group are on the same node */
  public StaticPlacement(Map<GroupId, Map<PeerId, Address>> groups) {
    Map<GroupId, Map<PeerId, Address>> copy = new TreeMap<>((a, b) -> a.id().compareTo(b.id()));
    groups.forEach((g, replicas) -> {
      Map<Address, PeerId> seen = new HashMap<>();
      replicas.forEach((r, node) -> {
        PeerId other = seen.putIfAbsent(node, r);
        if (other != null)
          throw new IllegalArgumentException("replicas " + other + " and " + r + " of group " + g
              + " are both placed on " + node + ": replicas of one group must be on distinct nodes");
      });
      copy.put(g, Map.copyOf(new LinkedHashMap<>(replicas)));
    });
    this.groups = copy;
  }

  /**
   * From plain settings (what {@code node.NodeSettings} reads from HOCON): group id to replica id
   * to {@code "host:port"} of the node's ActorSystem {@code system}.
   *
   * @throws IllegalArgumentException naming group, replica and value for a malformed address, or
   *     for two replicas of one group on one node
   */
  public static StaticPlacement parse(String system, Map<String, Map<String, String>> groups) {
    Map<GroupId, Map<PeerId, Address>> placed = new LinkedHashMap<>();
    groups.forEach((g, replicas) -> {
      Map<PeerId, Address> nodes = new LinkedHashMap<>();
      replicas.forEach((r, hostPort) -> {
        int colon = hostPort.lastIndexOf(':');
        int port = -1;
        try {
          if (colon > 0) port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 1 || port > 65535)
          throw new IllegalArgumentException("placement of replica " + r + " of group " + g + ": '" + hostPort
              + "' is not host:port");
        ReplicaKey key = ReplicaKey.of(g, r);
        nodes.put(key.replica(), new Address("akka", system, hostPort.substring(0, colon), port));
      });
      placed.put(GroupId.of(g), nodes);
    });
    return new StaticPlacement(placed);
  }

  /** One group: each replica on the node given. */
  public static StaticPlacement ofGroup(GroupId group, Map<PeerId, Address> replicas) {
    return new StaticPlacement(Map.of(group, replicas));
  }

  @Override
  public Set<GroupId> groups() {
    return java.util.Collections.unmodifiableSet(groups.keySet());
  }

  @Override
  public Map<PeerId, Address> replicasOf(GroupId group) {
    return groups.getOrDefault(group, Map.of());
  }

  @Override
  public String toString() {
    return "StaticPlacement" + groups;
  }
}
