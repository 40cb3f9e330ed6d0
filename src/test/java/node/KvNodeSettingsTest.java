package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import kvraft.AkkaKvClient;
import kvraft.KvSettings;
import org.junit.jupiter.api.Test;
import raft.PeerId;

class KvNodeSettingsTest {
  @Test
  void referenceConfMatchesTheCodeDefaults() {
    var config = ConfigFactory.defaultReference();
    assertEquals(KvSettings.defaults(), NodeSettings.kvSettings(config));
    assertEquals(AkkaKvClient.Settings.defaults(), NodeSettings.clientSettings(config));
    NodeSpec spec = NodeSettings.nodeSpec(config);
    assertTrue(spec.isLocal());
    assertEquals(List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3")), spec.hosted());
  }

  @Test
  void nodeConfFilesDescribeOneReplicaEach() {
    for (int i = 1; i <= 3; i++) {
      NodeSpec spec = NodeSettings.nodeSpec(NodeSettings.load(new File("conf/node-" + i + ".conf"), KvNode.NODE_LAYER));
      assertFalse(spec.isLocal());
      assertEquals(List.of(PeerId.of("p" + i)), spec.hosted());
      assertEquals(25520 + i, spec.port());
      assertEquals("akka://raftkv@127.0.0.1:2552" + i, spec.address(PeerId.of("p" + i)));
      assertEquals(Path.of("./data/node-" + i), spec.dataDir());
      var system = KvNode.systemConfig(spec, NodeSettings.load(new File("conf/node-" + i + ".conf"), KvNode.NODE_LAYER));
      assertEquals("cluster", system.getString("akka.actor.provider"));
      assertEquals(4, system.getStringList("akka.cluster.seed-nodes").size(), "p1..p3 and p4, which may be added");
    }
  }

  @Test
  void badNodeSettingsFailAtStart() {
    var unknownSelf = ConfigFactory.parseString("raftkv.node.id = p9").withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.nodeSpec(unknownSelf));
    assertTrue(e.getMessage().contains("p9"), e.getMessage());
    var badKv = ConfigFactory.parseString("raftkv.kv.max-scan-limit = 0").withFallback(ConfigFactory.defaultReference());
    e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.kvSettings(badKv));
    assertTrue(e.getMessage().contains("maxScanLimit"), e.getMessage());
  }
}
