package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import raft.GroupId;
import raft.PeerId;
import testkit.Polled;
import testkit.nodes.NodeProcesses;

/**
 * The first node of {@code nodes} (Akka's first seed node), killed with SIGKILL and restarted while
 * the others are too slow to answer its join for a while (frozen with SIGSTOP for 8 s after its HTTP
 * API is up, i.e. past Akka's seed-node-timeout of 2 s), rejoins their cluster once they answer,
 * instead of forming a cluster of its own that never meets theirs. Found by {@code
 * ShardMigrationKillProcessTest} on the loaded machine: a restarted n1 formed its own cluster, its
 * replicas were never reached again. Fails without {@code raftkv.sharded.rejoin-seed-timeout}
 * (with it set to 2s: n1 sees only itself up).
 */
class FirstSeedRestartProcessTest {
  private static final List<PeerId> NODES = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"));
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JsonNode get(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode().put("status", r.statusCode());
    } catch (Exception e) {
      return JSON.createObjectNode().put("error", e.toString());
    }
  }

  private static boolean allUp(JsonNode nodes) {
    for (PeerId p : NODES) if (!nodes.path("nodes").path(p.id()).path("up").asBoolean()) return false;
    return true;
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aRestartedFirstSeedNodeRejoinsTheClusterThatWasSlowToAnswer() throws Exception {
    Path dir = Path.of("target", "first-seed", UUID.randomUUID().toString());
    try (NodeProcesses nodes = new NodeProcesses(GroupId.of("unused"), NODES, dir, "")) {
      ShardedProcessConfs.configure(nodes, NODES, dir, "", ShardedProcessConfs::confFile);
      nodes.startAll(NODES);
      String n1 = nodes.awaitHttp(NODES.get(0));
      String n2 = nodes.awaitHttp(NODES.get(1));
      Polled.until(() -> get(n1 + "/admin/nodes"), FirstSeedRestartProcessTest::allUp, Duration.ofSeconds(90),
          "every node up as n1 sees it");

      nodes.kill(NODES.get(0));
      nodes.pause(NODES.get(1), true);
      nodes.pause(NODES.get(2), true);
      try {
        assertEquals(n1, nodes.start(NODES.get(0))); // its join began when its ActorSystem started, before this
        Thread.sleep(8_000); // the others answer nothing for longer than seed-node-timeout (2 s): the condition under test
      } finally {
        nodes.pause(NODES.get(1), false);
        nodes.pause(NODES.get(2), false);
      }
      JsonNode seen = Polled.until(() -> get(n1 + "/admin/nodes"), FirstSeedRestartProcessTest::allUp, Duration.ofSeconds(90),
          "the restarted n1 in the others' cluster (every node up as n1 sees it; a cluster of its own shows only n1)");
      assertTrue(allUp(get(n2 + "/admin/nodes")), "n2 sees every node up");
      // And its replicas are reached again: a write through n1 is read through n2.
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(n1 + "/kv/after-restart"))
          .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString("v")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, put.statusCode(), put.body());
      assertEquals("v", get(n2 + "/kv/after-restart").path("value").asText(), seen::toString);
    }
  }
}
