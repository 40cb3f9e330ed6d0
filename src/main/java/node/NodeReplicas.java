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
 * @param nodes per node: whether it is an Up member, its replicas (entity ids, shard groups by
 *     gid, then the controller's) and its address; the nodes of the answering node's file and those
 *     registered with the controller
 * @param moving per gid, the move running through this node ({@code n1 -> n4})
 */
public record NodeReplicas(long configNum, SortedMap<String, Node> nodes, SortedMap<Integer, String> moving) {
  public NodeReplicas {
    nodes = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    moving = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(moving));
  }

  /**
   * One node: Up or not, its replicas, and the {@code host:port} it is placed at (from this node's
   * file or the controller's node registry; null: not said).
   */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record Node(boolean up, List<String> replicas, String address) {
    public Node {
      replicas = List.copyOf(replicas);
    }

    public Node(boolean up, List<String> replicas) {
      this(up, replicas, null);
    }
  }

  static NodeReplicas of(long configNum, Map<String, Node> nodes, Map<Integer, String> moving) {
    return new NodeReplicas(configNum, new TreeMap<>(nodes), new TreeMap<>(moving));
  }
}
