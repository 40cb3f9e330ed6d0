package node;

import hosting.ReplicaKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import shardctrl.ShardConfig;

/**
 * Where a drain moves replicas, from the controller's configuration alone (pure): the replicas a
 * node hosts, and for one of them the node to move it to.
 */
final class ReplicaPlanner {
  private ReplicaPlanner() {}

  /** The shard group servers (entity ids) the configuration places on {@code node}, by gid. */
  static List<String> replicasOn(ShardConfig config, String node) {
    List<String> out = new ArrayList<>();
    for (List<String> servers : config.groups().values())
      for (String s : servers)
        if (NodePlacement.nodeName(ReplicaKey.parse(s).replica()).equals(node)) out.add(s);
    return out;
  }

  /**
   * The node for group {@code gid}'s replica leaving {@code leaving}: one of {@code nodes} other
   * than it that hosts no replica of the group, the one hosting the fewest replicas (ties: by name).
   */
  static Optional<String> target(ShardConfig config, int gid, String leaving, Collection<String> nodes) {
    return target(config, List.of(), config.groups().getOrDefault(gid, List.of()), leaving, nodes);
  }

  /**
   * The same for a group whose servers are {@code group} (the controller's), counting {@code
   * alsoPlaced} (servers the configuration does not list, e.g. the controller's) in each node's load.
   */
  static Optional<String> target(ShardConfig config, List<String> alsoPlaced, List<String> group, String leaving,
      Collection<String> nodes) {
    Map<String, Integer> load = new TreeMap<>();
    for (String n : nodes) load.put(n, 0);
    List<String> placed = new ArrayList<>(alsoPlaced);
    config.groups().values().forEach(placed::addAll);
    for (String s : placed) load.computeIfPresent(NodePlacement.nodeName(ReplicaKey.parse(s).replica()), (n, c) -> c + 1);
    List<String> hosting = group.stream()
        .map(s -> NodePlacement.nodeName(ReplicaKey.parse(s).replica())).toList();
    return load.entrySet().stream()
        .filter(e -> !e.getKey().equals(leaving) && !hosting.contains(e.getKey()))
        .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey))
        .map(Map.Entry::getKey);
  }
}
