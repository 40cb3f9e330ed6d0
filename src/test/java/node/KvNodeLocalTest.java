package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kvraft.KvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/raftkv local} as a library: three replicas on LevelDB (fsync on) in a temp directory;
 * everything acknowledged survives stopping and restarting the whole node, snapshots included.
 */
class KvNodeLocalTest {

  private static KvReply await(java.util.concurrent.CompletionStage<KvReply> s) throws Exception {
    return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void dataSurvivesRestartingAllThreeReplicas() throws Exception {
    Path dir = Path.of("target", "kvnode-test", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    Config config = ConfigFactory.parseString("""
            raftkv.raft.tick-interval = 40ms
            raftkv.kv.max-raft-state = 512 B
            """).withFallback(ConfigFactory.load());
    NodeSpec spec = NodeSettings.nodeSpec(config).asLocal(dir);
    try (KvNode node = KvNode.start(spec, config); KvClient c = node.client()) {
      assertTrue(node.banner().contains(dir.toAbsolutePath().normalize().toString()), node.banner());
      for (int i = 0; i < 40; i++) assertEquals(KvReply.DONE, await(c.append("k" + (i % 5), i + ",")));
      assertEquals(KvReply.DONE, await(c.put("last", "before-restart")));
      var statuses = testkit.Polled.until(() -> c.status().toCompletableFuture().join(),
          all -> all.stream().anyMatch(s -> s.firstIndex() > 1), java.time.Duration.ofSeconds(10), "a snapshot trimmed the log");
      assertEquals(3, statuses.size());
    }
    assertTrue(Files.exists(dir.resolve("p1").resolve("journal")));
    try (KvNode node = KvNode.start(spec, config); KvClient c = node.client()) {
      assertEquals(new KvReply.Value("before-restart"), await(c.get("last")));
      assertEquals(new KvReply.Value("0,5,10,15,20,25,30,35,"), await(c.get("k0")));
      assertEquals(new KvReply.Value("4,9,14,19,24,29,34,39,"), await(c.get("k4")));
      assertEquals(KvReply.DONE, await(c.append("k0", "after")));
      assertEquals(new KvReply.Value("0,5,10,15,20,25,30,35,after"), await(c.get("k0")));
    }
  }
}
