package node.http;

import static node.http.OpsRoutesTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvraft.KvLimits;
import node.NodeSettings;
import node.ShardedNode;
import node.ShardedSpec;
import org.junit.jupiter.api.Test;
import raft.GroupId;

/**
 * The replica series of a sharded node's {@code /metrics}: three sharded nodes in one JVM (the
 * controller and groups 100 and 101, a replica of each on every node, LevelDB), HTTP on the first.
 * After writes to both groups every replica on that node shows its journal writes and its polled
 * Raft status under its own group, the shard groups' replicas their migrations gauge (at zero:
 * nothing moves), and the other nodes' replicas are not there.
 */
class ShardedMetricsHttpTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int KEYS = 20;

  @Test
  void everyLocalReplicaShowsItsJournalWritesAndMigrationsUnderItsGroup() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "sharded-metrics-test", UUID.randomUUID().toString()));
    Config local = NodeSettings.shardedLocal(null);
    ShardedSpec spec = NodeSettings.shardedSpec(local);
    StringBuilder nodes = new StringBuilder("raftkv.sharded.nodes {\n");
    for (String n : spec.nodes().keySet()) nodes.append(n).append(" = \"127.0.0.1:").append(freePort()).append("\"\n");
    Config config = ConfigFactory.parseString(nodes.append("}\n").toString()).withFallback(local).resolve();
    spec = NodeSettings.shardedSpec(config);
    NodeMetrics metrics = new NodeMetrics("sharded");
    List<ShardedNode> started = ShardedNode.startAll(spec, dir, config, metrics, metrics);
    try {
      CompletableFuture.allOf(started.stream().map(ShardedNode::bootstrapped).toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
      ShardedNode first = started.get(0);
      ServerBinding binding = HttpApi.startSharded(first.system(), first.client(), KvLimits.defaults(), "127.0.0.1", 0,
          new NodeOps("sharded", Set.of(), NodeOps.DEFAULT_MAX_APPLY_LAG),
          new ShardAdminRoutes(first.admin(), Duration.ofSeconds(20)), metrics).toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
      for (int i = 0; i < KEYS; i++) { // keys on every shard of the lab's mapping (first byte mod 10): both groups
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("kv/" + (i % 10) + "-key" + i))
            .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString("v")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
      }
      String here = first.spec().self();
      String self = "peer=\"" + here + "\"";
      List<GroupId> groups = List.of(ShardedSpec.CONTROLLER, ShardedSpec.groupOf(100), ShardedSpec.groupOf(101));
      String m = scrapeUntil(base, groups, self);
      for (GroupId g : groups) {
        String group = "group=\"" + g + "\"";
        double writes = sample(m, "raftkv_disk_wal_fsync_duration_seconds_count", group, self);
        assertTrue(writes >= 1, g + " on " + here + " wrote its journal: " + writes);
        assertEquals(writes, sample(m, "raftkv_disk_wal_write_batch_entries_count", group, self), g.toString());
        assertTrue(sample(m, "raftkv_disk_wal_write_bytes_total", group, self) > 0, g + " wrote entries");
        assertEquals(0, sample(m, "raftkv_snapshot_installed_total", group, self), g.toString());
        // The polled Raft series too: each replica under its own group, not all under one node-wide label.
        assertEquals(1, sample(m, "raft_has_leader", group), g + " knows a leader");
        assertTrue(sample(m, "raft_term", group, self) >= 1, g.toString());
        assertTrue(sample(m, "raft_proposals_applied_total", group, self) >= 1, g + " applied its entries");
      }
      assertThrows(AssertionError.class, () -> sample(m, "raft_has_leader", "group=\"sharded\""));
      for (GroupId g : groups.subList(1, 3)) {
        assertEquals(0, sample(m, "raftkv_shard_migrations_in_flight", "group=\"" + g + "\"", self), g.toString());
      }
      // The controller pulls no shards; replicas of the other nodes report to their own (here: no) metrics.
      assertThrows(AssertionError.class, () -> sample(m, "raftkv_shard_migrations_in_flight",
          "group=\"" + ShardedSpec.CONTROLLER + "\"", self));
      for (String other : spec.nodes().keySet()) {
        if (other.equals(here)) continue;
        assertThrows(AssertionError.class, () -> sample(m, "raftkv_disk_wal_fsync_duration_seconds_count",
            "group=\"" + ShardedSpec.groupOf(100) + "\"", "peer=\"" + other + "\""), other);
      }
    } finally {
      for (ShardedNode n : started) n.close();
    }
  }

  /** The scrape once every group's replica here has written a log entry (one may be a write behind its majority). */
  private static String scrapeUntil(URI base, List<GroupId> groups, String self) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      String m = HTTP.send(HttpRequest.newBuilder(base.resolve("metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      boolean all = true;
      for (GroupId g : groups) {
        try {
          all &= sample(m, "raftkv_disk_wal_write_bytes_total", "group=\"" + g + "\"", self) > 0;
        } catch (AssertionError missing) {
          all = false;
        }
      }
      if (all || System.nanoTime() > deadline) return m;
      Thread.sleep(100);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
