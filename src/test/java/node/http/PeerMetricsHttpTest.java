package node.http;

import static node.http.OpsRoutesTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kvraft.KvLimits;
import node.KvNode;
import node.NodeSettings;
import node.NodeSpec;
import org.junit.jupiter.api.Test;
import raft.PeerId;

/**
 * The journal and snapshot series that come from inside RaftPeer ({@link raft.peer.PeerMetrics}),
 * on a real local group (three replicas on LevelDB in one process) behind the HTTP API: after
 * some writes every replica shows its journal writes, with counts that agree with each other.
 */
class PeerMetricsHttpTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int KEYS = 30;

  @Test
  void journalWritesAndBatchSizesOfEveryReplicaAppearInMetrics() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "peer-metrics-test", UUID.randomUUID().toString()));
    Config config = ConfigFactory.parseString("raftkv.raft.tick-interval = 40ms").withFallback(ConfigFactory.load());
    NodeSpec spec = NodeSettings.nodeSpec(config).asLocal(dir);
    String group = spec.group().toString();
    NodeMetrics metrics = new NodeMetrics(group);
    try (KvNode node = KvNode.start(spec, config, metrics)) {
      ServerBinding binding = HttpApi.start(node.system(), node.client(), KvLimits.defaults(), "127.0.0.1", 0,
          new NodeOps(group, java.util.Set.copyOf(spec.hosted()), NodeOps.DEFAULT_MAX_APPLY_LAG), node.admin(), metrics)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
      String value = "value-of-some-length";
      for (int i = 0; i < KEYS; i++) {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("kv/key" + i)).timeout(Duration.ofSeconds(20))
            .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
      }
      // A write is acknowledged once a majority holds it: the third replica may still be writing.
      String m = scrapeUntil(base, group, spec);
      for (PeerId p : spec.hosted()) {
        String g = "group=\"" + group + "\"";
        String peer = "peer=\"" + p + "\"";
        double writes = sample(m, "raftkv_disk_wal_write_batch_entries_count", g, peer);
        double entries = sample(m, "raftkv_disk_wal_write_batch_entries_sum", g, peer);
        assertTrue(entries >= KEYS, p + " wrote every put's entry: " + entries);
        assertTrue(writes >= 1, p + " wrote");
        // Every write is timed and sized once; the histograms see the same writes.
        assertEquals(writes, sample(m, "raftkv_disk_wal_fsync_duration_seconds_count", g, peer), p.toString());
        assertEquals(writes, sample(m, "raftkv_disk_wal_write_batch_entries_bucket", g, peer, "le=\"+Inf\""));
        assertTrue(sample(m, "raftkv_disk_wal_fsync_duration_seconds_sum", g, peer) > 0, p + " writes took time");
        // Writes carrying entries hold at least one each (the others write only term and vote).
        double withEntries = writes - sample(m, "raftkv_disk_wal_write_batch_entries_bucket", g, peer, "le=\"0.0\"");
        assertTrue(withEntries >= 1 && withEntries <= entries, p + ": " + withEntries + " writes with entries, " + entries
            + " entries");
        assertTrue(sample(m, "raftkv_disk_wal_write_bytes_total", g, peer) >= KEYS * (value.length() + 4),
            p + " wrote at least the keys and values");
        // Nobody lagged behind a snapshot: the series are there, at zero.
        assertEquals(0, sample(m, "raftkv_snapshot_sent_total", g, peer));
        assertEquals(0, sample(m, "raftkv_snapshot_sent_bytes_total", g, peer));
        assertEquals(0, sample(m, "raftkv_snapshot_installed_total", g, peer));
        assertEquals(0, sample(m, "raftkv_snapshot_installed_bytes_total", g, peer));
      }
    }
  }

  /** The scrape once every replica's journal holds all the puts (the last follower may be a write behind). */
  private static String scrapeUntil(URI base, String group, NodeSpec spec) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      String m = HTTP.send(HttpRequest.newBuilder(base.resolve("metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      boolean all = true;
      for (PeerId p : spec.hosted()) {
        all &= sample(m, "raftkv_disk_wal_write_batch_entries_sum", "group=\"" + group + "\"", "peer=\"" + p + "\"") >= KEYS;
      }
      if (all || System.nanoTime() > deadline) return m;
      Thread.sleep(100);
    }
  }
}
