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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import testkit.SeedExtension;
import testkit.linearizability.KvModel;
import testkit.linearizability.Linearizability;
import testkit.nodes.HttpKvWorkload;
import testkit.nodes.NodeProcesses;

/**
 * A 4th node joins a running sharded cluster and another is drained onto it, as an operator does
 * it: three {@code bin/raftkv node} processes from {@code conf/sharded-node-1..3.conf} (test ports
 * and data directories; none of them names n4), then n4 started from {@code conf/sharded-node-4.conf},
 * the only file that names it (it joins through the three as seed nodes and registers with the
 * controller), then {@code bin/raftkv admin --http ... drain-node n3} (a child JVM) while four
 * HTTP clients write through n1 and n2; {@code admin nodes} through n1 lists n4 before the drain.
 * The drain must answer that g100|n3 and ctrl|n3 moved to n4, the configuration must list group
 * 100 on n1, n2, n4, and the history must be linearizable; then n3 is stopped (SIGTERM) and the
 * clients' keys read the same through n1, n2 and n4.
 */
@ExtendWith(SeedExtension.class)
class NodeDrainProcessTest {
  private static final List<PeerId> NODES = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"), PeerId.of("n4"));
  private static final String RANGES = "raftkv.sharded.key-ranges = [a1, b, c, d, e, k1, k2, m, t]\n";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** GET /admin/nodes through {@code base} once it lists {@code node} as up (it registers at start). */
  private JsonNode awaitListed(String base, String node) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      last = get(base + "/admin/nodes");
      if (last.path("nodes").path(node).path("up").asBoolean()) return last;
      Thread.sleep(500);
    }
    throw new AssertionError(node + " never listed up: " + last);
  }

  @Test
  @Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
  void aFourthNodeJoinsAndANodeIsDrainedOntoItWhileClientsWrite(long seed) throws Exception {
    Path dir = Path.of("target", "node-drain", UUID.randomUUID().toString());
    try (NodeProcesses nodes = new NodeProcesses(GroupId.of("unused"), NODES, dir, "")) {
      // Only n4's own file (conf/sharded-node-4.conf) names n4.
      ShardedProcessConfs.configureJoining(nodes, NODES.subList(0, 3), NODES.get(3), dir, RANGES);
      nodes.startAll(NODES.subList(0, 3));
      List<String> bases = new ArrayList<>();
      for (PeerId p : NODES.subList(0, 3)) bases.add(nodes.awaitHttp(p));
      long deadline = System.currentTimeMillis() + 120_000;
      while (!get(bases.get(0) + "/admin/shards").path("groups").has("100")) {
        assertTrue(System.currentTimeMillis() < deadline, "group 100 never joined");
        Thread.sleep(500);
      }

      HttpKvWorkload clients = new HttpKvWorkload(bases.subList(0, 2), 4, Duration.ofSeconds(15), seed, true);
      NodeProcesses.CliRun drain;
      try {
        Thread.sleep(2_000);
        String n4 = nodes.start(PeerId.of("n4")); // joins the Akka cluster and registers; nothing moves to it
        bases.add(n4);
        JsonNode listed = awaitListed(bases.get(0), "n4");
        assertEquals(0, listed.get("nodes").get("n4").get("replicas").size(), listed::toString);
        NodeProcesses.CliRun view = nodes.cli(List.of("admin", "--http", bases.get(0), "nodes"));
        assertEquals(0, view.exitCode(), view::toString);
        assertTrue(view.output().contains("\"n4\":{\"up\":true"), view::toString);
        drain = nodes.cli(List.of("admin", "--http", bases.get(1), "drain-node", "n3"));
        Thread.sleep(3_000);
      } finally {
        clients.close();
      }
      assertEquals(0, drain.exitCode(), drain::toString);
      JsonNode answer = null;
      for (String line : drain.output().split("\n")) // its JSON line; the child JVM may log other lines
        if (line.startsWith("{") && line.contains("\"moved\"")) answer = JSON.readTree(line);
      assertTrue(answer != null, drain::toString);
      assertTrue(answer.get("done").asBoolean(), answer::toString);
      assertEquals("g100|n3 -> g100|n4", answer.get("moved").get(0).asText(), answer::toString);
      assertEquals("ctrl|n3 -> ctrl|n4", answer.get("moved").get(1).asText(), "the controller's replica moves too: " + answer);
      assertEquals(2, answer.get("moved").size(), answer::toString);
      assertEquals(0, answer.get("not_moved").size(), answer::toString);
      assertEquals(0, answer.get("left").size(), answer::toString);
      JsonNode config = get(bases.get(3) + "/admin/shards");
      List<String> servers = new ArrayList<>();
      config.get("groups").get("100").forEach(s -> servers.add(s.asText()));
      assertEquals(List.of("g100|n1", "g100|n2", "g100|n4"), servers, config::toString);

      assertEquals(List.of(), clients.rejected(), "no operation answered with an error that is a bug");
      System.out.println("NodeDrainProcessTest: " + clients.history().size() + " operations, " + clients.unknown()
          + " unknown, " + clients.writeAcks().size() + " writes acknowledged; drain answered " + answer);
      Linearizability.assertLinearizable(KvModel.strict(), clients.history().history());

      // n3 leaves, hosting nothing now (the controller runs on n1, n2, n4); the data is served by n1, n2, n4.
      assertEquals(0, nodes.terminate(PeerId.of("n3")));
      for (String key : List.of("k0", "k1", "k2", "a0", "a1")) {
        JsonNode first = get(bases.get(0) + "/kv/" + key);
        assertEquals(first, get(bases.get(1) + "/kv/" + key), key);
        assertEquals(first, get(bases.get(3) + "/kv/" + key), key);
      }
    }
  }
}
