package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import hosting.ReplicaKey;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;

/** raftkv.sharded: the conf files, the placement by node name, refusals that name the key. */
class ShardedSettingsTest {
  private static com.typesafe.config.Config conf(int i) {
    return NodeSettings.load(new File("conf/sharded-node-" + i + ".conf"), ShardedNode.NODE_LAYER);
  }

  @Test
  void confFilesDescribeThreeNodesOfOneCluster() {
    for (int i = 1; i <= 3; i++) {
      assertTrue(NodeSettings.isSharded(new File("conf/sharded-node-" + i + ".conf")));
      var config = conf(i);
      ShardedSpec spec = NodeSettings.shardedSpec(config);
      assertEquals("n" + i, spec.self());
      assertEquals(List.of("n1", "n2", "n3"), spec.controller());
      assertEquals(List.of("n1", "n2", "n3"), spec.groups().get(100));
      assertEquals(25530 + i, spec.port());
      assertTrue(spec.initialClusterStateNew());
      var system = ShardedNode.systemConfig(spec, config);
      assertEquals("akka.cluster.sbr.SplitBrainResolverProvider", system.getString("akka.cluster.downing-provider-class"),
          "raftkv-hosting.conf is included");
      assertEquals(3, system.getStringList("akka.cluster.seed-nodes").size());
      assertEquals(ShardedNode.JOURNAL_PLUGIN, system.getString("akka.persistence.journal.plugin"));
      assertEquals(ShardedNode.journalDir(spec).toString(), system.getString(ShardedNode.JOURNAL_PLUGIN + ".dir"));
      assertEquals("journal.GroupCommitJournal", system.getString(ShardedNode.JOURNAL_PLUGIN + ".class"));
      assertEquals(8090 + i, config.getInt("raftkv.node.http.port"));
    }
    assertFalse(NodeSettings.isSharded(new File("conf/node-1.conf")));
  }

  @Test
  void aReplicaLivesOnTheNodeItsIdNames() {
    NodePlacement p = NodePlacement.of(NodeSettings.shardedSpec(conf(1)), "raftkv");
    assertEquals("akka://raftkv@127.0.0.1:25532", p.nodeOf(ReplicaKey.of("g777", "n2")).orElseThrow().toString(),
        "a group no node has heard of yet is placed by its replica ids");
    assertEquals("akka://raftkv@127.0.0.1:25533", p.nodeOf(ReplicaKey.of("g100", "n3.2")).orElseThrow().toString());
    assertTrue(p.nodeOf(ReplicaKey.of("g100", "n9")).isEmpty());
    assertEquals(List.of(ReplicaKey.of("ctrl", "n2"), ReplicaKey.of("g100", "n2")),
        p.replicasOn(p.node("n2").orElseThrow()));
    assertEquals(100, ShardedSpec.gidOf(GroupId.of("g100")));
    assertEquals(-1, ShardedSpec.gidOf(ShardedSpec.CONTROLLER));
    p.learn(GroupId.of("g101"), List.of(PeerId.of("n1")));
    p.learn(GroupId.of("ctrl"), List.of(PeerId.of("n2")));
    assertTrue(p.toString().endsWith("knowing {ctrl=[n2], g100=[n1, n2, n3], g101=[n1]}"), p.toString());
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    String base = "raftkv.sharded { self = n1, nodes { n1 = \"127.0.0.1:1\", n2 = \"127.0.0.1:2\" }, controller = [n1, n2] }\n";
    var ok = ConfigFactory.parseString(base).withFallback(ConfigFactory.load()).resolve();
    assertEquals("n1", NodeSettings.shardedSpec(ok).self());
    for (String[] bad : new String[][] {
        {"raftkv.sharded.self = n7", "self = n7 is not among the nodes"},
        {"raftkv.sharded.groups { \"100\" = [n1, n1] }", "groups.100: node n1 named twice"},
        {"raftkv.sharded.groups { \"100\" = [n1, n3] }", "groups.100: node n3 is not among the nodes"},
        {"raftkv.sharded.groups { x = [n1] }", "groups: 'x' is not a gid"},
        {"raftkv.sharded.controller = []", "controller: no replicas"},
        {"raftkv.sharded.nodes.n2 = \"nowhere\"", "nodes.n2: address must be host:port"},
        {"raftkv.sharded.initial-cluster-state = old", "initial-cluster-state must be new or existing"}}) {
      var c = ConfigFactory.parseString(bad[0]).withFallback(ConfigFactory.parseString(base))
          .withFallback(ConfigFactory.load()).resolve();
      var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.shardedSpec(c), bad[0]);
      assertTrue(e.getMessage().startsWith("invalid raftkv.sharded settings") && e.getMessage().contains(bad[1]),
          () -> bad[0] + ": " + e.getMessage());
    }
  }

  @Test
  void pullChunkBytesDefaultsTo64KiBAndIsBounded() {
    assertEquals(64 * 1024, NodeSettings.shardPullChunkBytes(conf(1)));
    assertEquals(1, NodeSettings.shardPullChunkBytes(
        ConfigFactory.parseString("raftkv.sharded.pull-chunk-bytes = 1").withFallback(conf(1))));
    for (String bad : List.of("0", "2 MiB")) {
      var c = ConfigFactory.parseString("raftkv.sharded.pull-chunk-bytes = " + bad).withFallback(conf(1));
      var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.shardPullChunkBytes(c));
      assertTrue(e.getMessage().startsWith("raftkv.sharded.pull-chunk-bytes must be 1 B .. 1 MiB"), e.getMessage());
    }
  }

  @Test
  void onlyARestartedFirstNodeWaitsLongerForTheClusterToAnswerItsJoin() throws Exception {
    Path dir = Files.createTempDirectory("sharded-seed");
    ShardedSpec n1 = NodeSettings.shardedSpec(conf(1)).as("n1", dir.resolve("n1"));
    ShardedSpec n2 = NodeSettings.shardedSpec(conf(2)).as("n2", dir.resolve("n2"));
    java.util.function.Function<ShardedSpec, java.time.Duration> timeout =
        spec -> ShardedNode.systemConfig(spec, conf(1)).getDuration("akka.cluster.seed-node-timeout");
    assertEquals(java.time.Duration.ofSeconds(2), timeout.apply(n1), "a new cluster's first start: shardnode.conf");
    Files.createDirectories(n1.dataDir());
    Files.writeString(n1.dataDir().resolve(ShardedNode.MEMBER_MARKER), "n1\n");
    assertEquals(java.time.Duration.ofSeconds(30), timeout.apply(n1), "a member before, killed mid-bootstrap: rejoin-seed-timeout");
    Files.delete(n1.dataDir().resolve(ShardedNode.MEMBER_MARKER));
    for (ShardedSpec s : List.of(n1, n2)) {
      Files.createDirectories(s.dataDir());
      Files.writeString(s.dataDir().resolve(ShardedBootstrap.MARKER), "bootstrapped\n");
    }
    assertEquals(java.time.Duration.ofSeconds(30), timeout.apply(n1), "restarted first seed node: rejoin-seed-timeout");
    assertEquals(java.time.Duration.ofSeconds(2), timeout.apply(n2), "not the first seed node: it never forms a cluster");
  }

  @Test
  void aDataDirectoryOfAnotherNodeIsRefusedNamingBoth() throws Exception {
    Path dir = Files.createTempDirectory("sharded-dir");
    ShardedSpec n1 = NodeSettings.shardedSpec(conf(1)).as("n1", dir);
    ShardedNode.claimDataDir(n1);
    ShardedNode.claimDataDir(n1); // its own: fine
    var e = assertThrows(IllegalArgumentException.class, () -> ShardedNode.claimDataDir(n1.as("n2", dir)));
    assertTrue(e.getMessage().contains("belongs to node n1, not to this node n2"), e.getMessage());
  }
}
