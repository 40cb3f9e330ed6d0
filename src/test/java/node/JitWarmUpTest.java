package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kvraft.KvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;

/**
 * The warm-up of {@code bin/raftkv local}: a throwaway group serves real requests, leaves no
 * files behind, and the node started after it in the same JVM sees none of its keys.
 */
class JitWarmUpTest {
  private static List<Path> warmUpDirs() throws Exception {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("raftkv-jit-warm-up-")).toList();
    }
  }

  @Test
  void aThrowawayGroupServesThenVanishesAndTheRealNodeStartsClean() throws Exception {
    Config config = ConfigFactory.parseString("raftkv.node.jit-warm-up = 2s").withFallback(ConfigFactory.load());
    List<Path> before = warmUpDirs();

    long ops = JitWarmUp.run(config);

    assertTrue(ops > 0, "the warm-up completed " + ops + " operations");
    assertEquals(before, warmUpDirs(), "its temp directory is deleted");
    Path dir = Path.of("target", "jit-warm-up-test", UUID.randomUUID().toString());
    try (KvNode node = KvNode.start(NodeSettings.nodeSpec(config).asLocal(dir), config); KvClient c = node.client()) {
      assertEquals(KvReply.NO_KEY, c.get("warm-0").toCompletableFuture().get(20, TimeUnit.SECONDS),
          "the real group never sees the warm-up's keys");
      assertEquals(KvReply.DONE, c.put("k", "v").toCompletableFuture().get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void zeroSwitchesItOffAndANegativeLengthIsRefused() throws Exception {
    assertEquals(0, JitWarmUp.run(ConfigFactory.parseString("raftkv.node.jit-warm-up = 0s").withFallback(ConfigFactory.load())));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JitWarmUp.configured(ConfigFactory.parseString("raftkv.node.jit-warm-up = -1s").withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("raftkv.node.jit-warm-up"), e.getMessage());
  }
}
