package node;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What each node of a sharded cluster hosts, from the controller's latest configuration and the
 * controller's placement, and the replica moves running through the answering node: an operator's
 * view of a drain in progress.
 *
 * @param configNum the configuration the replicas are read from
 * @param nodes per node: whether it is an Up member, and its replicas (entity ids, shard groups by
 *     gid, then the controller's)
 * @param moving per gid, the move running through this node ({@code n1 -> n4})
 */
public record NodeReplicas(long configNum, SortedMap<String, Node> nodes, SortedMap<Integer, String> moving) {
  public NodeReplicas {
    nodes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    moving = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(moving));
  }

  /** One node: Up or not, and its replicas. */
  public record Node(boolean up, List<String> replicas) {
    public Node {
      replicas = List.copyOf(replicas);
    }
  }

  static NodeReplicas of(long configNum, Map<String, Node> nodes, Map<Integer, String> moving) {
    return new NodeReplicas(configNum, new TreeMap<>(nodes), new TreeMap<>(moving));
  }
}
