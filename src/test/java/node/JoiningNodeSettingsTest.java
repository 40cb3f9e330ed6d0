package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import com.typesafe.config.ConfigFactory;
import hosting.ReplicaKey;
import java.io.File;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node that joins a running cluster (raftkv.sharded.seed-nodes): its file, its refusals, its placement learning the registry. */
class JoiningNodeSettingsTest {

  @Test
  void theJoiningNodesFileNamesOnlyItselfAndJoinsThroughTheSeedNodes() {
    var config = NodeSettings.load(new File("conf/sharded-node-4.conf"), ShardedNode.NODE_LAYER);
    ShardedSpec spec = NodeSettings.shardedSpec(config);
    assertEquals("n4", spec.self());
    assertTrue(spec.joining());
    assertEquals(List.of("n4"), List.copyOf(spec.nodes().keySet()));
    assertEquals(List.of("n1", "n2", "n3"), spec.controller());
    assertTrue(spec.groups().isEmpty());
    assertEquals(List.of("akka://raftkv@127.0.0.1:25531", "akka://raftkv@127.0.0.1:25532", "akka://raftkv@127.0.0.1:25533"),
        ShardedNode.systemConfig(spec, config).getStringList("akka.cluster.seed-nodes"));
    assertEquals(25534, spec.port());
    assertEquals(8094, config.getInt("raftkv.node.http.port"));
    // A node of the initial cluster is unchanged: every node a seed.
    var one = NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER);
    assertEquals(3, ShardedNode.systemConfig(NodeSettings.shardedSpec(one), one).getStringList("akka.cluster.seed-nodes").size());
  }

  @Test
  void aJoiningNodeThatWouldHostAControllerReplicaOrAGroupOrBeItsOwnSeedIsRefused() {
    String base = "raftkv.sharded { self = n4, nodes { n4 = \"127.0.0.1:4\" }, seed-nodes = [\"127.0.0.1:1\"],"
        + " controller = [n1, n2, n3] }\n";
    var ok = ConfigFactory.parseString(base).withFallback(ConfigFactory.load()).resolve();
    assertTrue(NodeSettings.shardedSpec(ok).joining());
    for (String[] bad : new String[][] {
        {"raftkv.sharded.controller = [n1, n4]", "cannot host a controller replica"},
        {"raftkv.sharded.controller = []", "controller: no replicas"},
        {"raftkv.sharded.controller = [n1, n1]", "named twice"},
        {"raftkv.sharded.groups { \"100\" = [n4] }", "groups: a joining node (seed-nodes set) bootstraps no group"},
        {"raftkv.sharded.seed-nodes = [\"127.0.0.1:4\"]", "is this node's own address"},
        {"raftkv.sharded.seed-nodes = [nowhere]", "seed-nodes: address must be host:port"}}) {
      var c = ConfigFactory.parseString(bad[0]).withFallback(ConfigFactory.parseString(base))
          .withFallback(ConfigFactory.load()).resolve();
      var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.shardedSpec(c), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), () -> bad[0] + ": " + e.getMessage());
    }
  }

  @Test
  void registeredNodesArePlaceableAndTheRegistryWinsOverThisNodesFile() {
    var config = NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER);
    NodePlacement p = NodePlacement.of(NodeSettings.shardedSpec(config), "raftkv");
    assertTrue(p.nodeOf(ReplicaKey.of("g100", "n4")).isEmpty(), "n4 is in no file of n1");
    assertEquals(List.of("n4"), List.copyOf(p.register(Map.of("n1", "127.0.0.1:25531", "n4", "127.0.0.1:25534"), "raftkv")),
        "only n4 is new");
    assertEquals(new Address("akka", "raftkv", "127.0.0.1", 25534), p.nodeOf(ReplicaKey.of("g100", "n4.1")).orElseThrow());
    assertEquals(List.of("n1", "n2", "n3", "n4"), List.copyOf(p.nodeNames()));
    assertEquals(List.of(), List.copyOf(p.register(Map.of("n4", "127.0.0.1:25534"), "raftkv")), "nothing new");
    p.register(Map.of("n3", "10.0.0.3:25533"), "raftkv");
    assertEquals(new Address("akka", "raftkv", "10.0.0.3", 25533), p.node("n3").orElseThrow());
  }
}
