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

  /** One group on the given nodes: replica {@code replicas[i]} on {@code nodes[i]}. */
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
