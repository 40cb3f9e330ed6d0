package node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/** Where a drain sends replicas, and the move's refusals, from a configuration alone. */
class ReplicaPlannerTest {
  private static final ShardConfig CONFIG = new ShardConfig(4, List.of(100, 100, 101, 101), new TreeMap<>(Map.of(
      100, List.of("g100|n1", "g100|n2", "g100|n3"),
      101, List.of("g101|n1", "g101|n2.1", "g101|n4"))));

  @Test
  void aDrainTakesTheNodesReplicasByGroupToTheLeastLoadedNodeWithoutOne() {
    assertEquals(List.of("g100|n1", "g101|n1"), ReplicaPlanner.replicasOn(CONFIG, "n1"));
    assertEquals(List.of("g100|n2", "g101|n2.1"), ReplicaPlanner.replicasOn(CONFIG, "n2"), "n2.1 lives on n2");
    assertEquals(List.of(), ReplicaPlanner.replicasOn(CONFIG, "n5"));
    List<String> nodes = List.of("n1", "n2", "n3", "n4", "n5");
    // Group 100 lacks n4 (1 replica) and n5 (none): the emptier one.
    assertEquals(Optional.of("n5"), ReplicaPlanner.target(CONFIG, 100, "n1", nodes));
    // Group 101 lacks n3 and n5; without n5 (say it is down) n3.
    assertEquals(Optional.of("n3"), ReplicaPlanner.target(CONFIG, 101, "n1", List.of("n1", "n2", "n3", "n4")));
    // Equal loads: by name.
    assertEquals(Optional.of("n5"), ReplicaPlanner.target(CONFIG, 100, "n3", List.of("n1", "n2", "n3", "n6", "n5")));
    assertEquals(Optional.empty(), ReplicaPlanner.target(CONFIG, 100, "n1", List.of("n1", "n2", "n3")), "nowhere to go");
  }

  @Test
  void aMoveIsRefusedTypedBeforeAnythingChanges() {
    NodePlacement placement = NodePlacement.of(NodeSettings.shardedSpec(
        NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER)), "raftkv");
    assertEquals(Optional.of(new CtrlReply.UnknownGid(7)), ReplicaMove.refusal(CONFIG, placement, 7, "n1", "n2"));
    assertEquals(Optional.of(new CtrlReply.UnknownNode("n9")), ReplicaMove.refusal(CONFIG, placement, 100, "n9", "n2"));
    assertEquals(Optional.of(new CtrlReply.UnknownNode("n9")), ReplicaMove.refusal(CONFIG, placement, 100, "n1", "n9"));
    assertEquals(Optional.of(new CtrlReply.ReplicaOnNode(100, "n2")), ReplicaMove.refusal(CONFIG, placement, 100, "n1", "n2"));
    assertEquals(Optional.of(new CtrlReply.ReplicaOnNode(101, "n2")), ReplicaMove.refusal(CONFIG, placement, 101, "n1", "n2"),
        "n2.1 is on n2");
    assertEquals(Optional.of(new CtrlReply.NoReplicaOnNode(101, "n3")), ReplicaMove.refusal(CONFIG, placement, 101, "n3", "n1"));
    assertEquals(Optional.empty(), ReplicaMove.refusal(CONFIG, placement, 101, "n2", "n3"));
  }
}
