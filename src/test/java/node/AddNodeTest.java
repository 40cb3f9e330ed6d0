package node;

import static node.ReplicaMoveTest.await;
import static node.ReplicaMoveTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hosting.HostStatus;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import shardctrl.ShardConfig;

/**
 * A node joins a running sharded cluster with no change to the running nodes: three {@link
 * ShardedNode}s (one JVM, Artery, LevelDB journals) whose {@code nodes} name only n1, n2, n3; a
 * client writes through n1; then n4 starts from a spec only it has ({@code nodes = {n4}}, a seed
 * node, the controller's nodes). It registers with the controller, every node lists it, nothing
 * moves to it, a second node that claims the name n4 at another address stops (refused), and then
 * group 100's replica on n1 moves to n4 (asked through n2) while the writes go on; every
 * acknowledged write is read back through n1 and through n4.
 */
class AddNodeTest {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AddNodeTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static NodeReplicas nodesOnceListing(ShardAdmin admin, String node) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    NodeReplicas last = null;
    while (System.nanoTime() < end) {
      last = await(admin.nodes());
      if (last != null && last.nodes().containsKey(node) && last.nodes().get(node).up()) return last;
      Thread.sleep(200);
    }
    throw new AssertionError("node " + node + " never listed as up; last " + last);
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aNodeNamedOnlyInItsOwnSpecJoinsRegistersAndTakesAReplicaWhileClientsWrite() throws Exception {
    Path data = Files.createTempDirectory("add-node-");
    TreeMap<String, String> nodes = new TreeMap<>();
    for (String n : List.of("n1", "n2", "n3")) nodes.put(n, "127.0.0.1:" + ShardedProcessConfs.freePort());
    ShardedSpec spec = new ShardedSpec("n1", nodes, List.of("n1", "n2", "n3"),
        new TreeMap<>(Map.of(100, List.of("n1", "n2", "n3"))), data.resolve("n1"), false, true, List.of()).validate();
    Config config = ConfigFactory.parseString("akka.cluster.split-brain-resolver.stable-after = 3s\n"
            + "raftkv.sharded.admin-timeout = 60s\n")
        .withFallback(NodeSettings.load(null, ShardedNode.NODE_LAYER));
    List<ShardedNode> all = new java.util.ArrayList<>(ShardedNode.startAll(spec, data, config));
    try {
      for (ShardedNode n : all) n.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      // The operator works through n2. n1, the oldest node, runs the sharding coordinator, whose
      // allocation strategy must place g100|n4 on n4: n1 learns n4 only from its registry poll
      // (nothing here asks n1's admin, which would read the registry on demand).
      ShardAdmin admin = all.get(1).admin();
      akka.cluster.Cluster cluster = akka.cluster.Cluster.get(akka.actor.typed.javadsl.Adapter.toClassic(all.get(0).system()));
      akka.cluster.Member oldest = null;
      for (akka.cluster.Member m : cluster.state().getMembers())
        if (oldest == null || m.isOlderThan(oldest)) oldest = m;
      assertEquals(cluster.selfAddress(), oldest.address(), "n1 is the oldest node: it runs the sharding coordinator");
      ShardConfig first = config(await(admin.shards()));
      while (!first.groups().containsKey(100)) {
        Thread.sleep(200);
        first = config(await(admin.shards()));
      }
      ReplicaMoveTest.Writer writer = new ReplicaMoveTest.Writer(all.get(0).client());
      Thread writing = new Thread(writer, "writer");
      writing.start();
      try {
        // n4's spec is the only one that names n4; it joins through n2 and knows no other address.
        TreeMap<String, String> own = new TreeMap<>(Map.of("n4", "127.0.0.1:" + ShardedProcessConfs.freePort()));
        ShardedSpec spec4 = new ShardedSpec("n4", own, List.of("n1", "n2", "n3"), new TreeMap<>(), data.resolve("n4"),
            false, true, List.of(), List.of(nodes.get("n2"))).validate();
        ShardedNode n4 = ShardedNode.start(spec4, config);
        all.add(n4);
        n4.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        NodeReplicas seen = nodesOnceListing(admin, "n4");
        assertEquals(new NodeReplicas.Node(true, List.of(), own.get("n4")), seen.nodes().get("n4"), "nothing moves to a node that joins");
        assertEquals(first.num(), seen.configNum(), "registering makes no configuration");
        NodeReplicas fromN4 = nodesOnceListing(n4.admin(), "n1");
        assertEquals(List.of("n1", "n2", "n3", "n4"), List.copyOf(fromN4.nodes().keySet()),
            "n4 learned the others' addresses from the registry");
        writer.checkAllReadable("n4 joined");

        // Names are unique: another node claiming n4 at another address is refused and stops.
        TreeMap<String, String> impostor = new TreeMap<>(Map.of("n4", "127.0.0.1:" + ShardedProcessConfs.freePort()));
        ShardedNode other = ShardedNode.start(new ShardedSpec("n4", impostor, List.of("n1", "n2", "n3"), new TreeMap<>(),
            data.resolve("n4-impostor"), false, true, List.of(), List.of(nodes.get("n1"))).validate(), config);
        all.add(other);
        other.system().getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        NodeReplicas still = await(admin.nodes());
        assertEquals(own.get("n4"), still.nodes().get("n4").address(), "the registry still has the first n4");

        // Group 100's replica on n1 moves to n4 (learner, promotion, removal) under writes.
        ShardConfig moved = config(await(admin.moveReplica(100, "n1", "n4")));
        assertEquals(List.of("g100|n2", "g100|n3", "g100|n4"), moved.groups().get(100));
        assertEquals(first.shards(), moved.shards(), "no shard moves with a replica");
        ReplicaMoveTest.awaitVoters(n4.system(), moved.groups().get(100), ReplicaMoveTest.ids("n2", "n3", "n4"));
        HostStatus there = await(ReplicaHosting.status(n4.system(), ReplicaKey.of("g100", "n4"), Duration.ofSeconds(10)));
        assertTrue(there instanceof HostStatus.Running, there::toString);
        writer.checkAllReadable("move n1 -> n4");
        NodeReplicas after = await(admin.nodes());
        assertEquals(List.of("g100|n4"), after.nodes().get("n4").replicas(), after::toString);
        assertEquals(List.of("ctrl|n1"), after.nodes().get("n1").replicas(), after::toString);
      } finally {
        writer.stop.set(true);
        writing.join(60_000);
      }
      writer.checkAllReadable("the writes stopped");
      assertTrue(writer.acked.size() > 10, () -> "writes acknowledged: " + writer.acked.size() + ", failed "
          + writer.failed.get() + ", last failure " + writer.lastFailure);
      // The same keys through n4's own client.
      ReplicaMoveTest.Writer reader = new ReplicaMoveTest.Writer(all.get(3).client());
      reader.acked.putAll(writer.acked);
      reader.checkAllReadable("read back through n4");
      LOG.info("{} writes acknowledged, {} failed", writer.acked.size(), writer.failed.get());
    } finally {
      for (ShardedNode n : all) n.close();
      ReplicaMoveTest.deleteDirectory(data);
    }
  }
}
