package node;

import java.util.List;
import shardctrl.CtrlReply;

/**
 * The answer of a node drain: what moved, what is still on the node, and what stopped it.
 *
 * @param node the node drained
 * @param moved one line per replica moved away, in order ({@code g100|n1 -> g100|n4})
 * @param left the replicas still on the node: empty once every shard group's and the controller's
 *     replica is gone
 * @param notMoved replicas a drain does not move: none since the controller's replicas move too
 *     (kept so that the answer's shape stays the same)
 * @param stoppedBy the answer that stopped the drain early (a refused or failed move), else null
 */
public record NodeDrain(String node, List<String> moved, List<String> left, List<String> notMoved, CtrlReply stoppedBy) {
  public NodeDrain {
    moved = List.copyOf(moved);
    left = List.copyOf(left);
    notMoved = List.copyOf(notMoved);
  }

  /** Whether no group (the controller included) has a replica on the node any more. */
  public boolean done() {
    return stoppedBy == null && left.isEmpty();
  }
}
