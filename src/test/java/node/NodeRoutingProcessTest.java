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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import testkit.nodes.HttpLoad;
import testkit.nodes.NodeProcesses;

/**
 * The real deployment with one replica down: three {@code raftkv node} processes on loopback, one
 * follower killed, then closed-loop puts through the leader's HTTP API and through the surviving
 * follower's, at 1 and 64 connections, in one run. Once the dead replica is known dead it must cost
 * a request nothing: no request through the follower fails, and the p99 at 1 connection stays well
 * below the client's attempt timeout (a request that tried the dead replica first would wait that
 * long). Prints one JSON line with both sides and the ratio follower / leader.
 */
class NodeRoutingProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  /** The nodes' client attempt timeout: the bound a dead replica must not show up as. */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, String> roles(String base) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/status"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, String> roles = new LinkedHashMap<>();
    if (r.statusCode() != 200) return roles;
    for (JsonNode n : JSON.readTree(r.body()).get("replicas")) roles.put(n.get("id").asText(), n.get("role").asText());
    return roles;
  }

  private static PeerId awaitLeader(String base) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      for (var e : roles(base).entrySet()) if (e.getValue().equals("LEADER")) return PeerId.of(e.getKey());
      Thread.sleep(200);
    }
    throw new AssertionError("no leader");
  }

  @Test
  void writesThroughAFollowerDoNotPayForADeadReplica() throws Exception {
    Path dir = Path.of("target", "kv-routing", UUID.randomUUID().toString());
    String extra = "raftkv.kv.client.attempt-timeout = " + ATTEMPT_TIMEOUT.toMillis() + "ms\n"
        + "raftkv.kv.client.deadline = 10s\n";
    try (NodeProcesses nodes = new NodeProcesses(GROUP, PEERS, dir, extra)) {
      Map<PeerId, String> http = new LinkedHashMap<>();
      for (PeerId p : PEERS) nodes.launch(p);
      for (PeerId p : PEERS) http.put(p, nodes.awaitHttp(p));
      PeerId leader = awaitLeader(http.get(PEERS.get(0)));
      // Kill the first follower in the voters' order: the one every client rotation reaches first.
      PeerId dead = PEERS.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      PeerId follower = PEERS.stream().filter(p -> !p.equals(leader) && !p.equals(dead)).findFirst().orElseThrow();
      nodes.kill(dead);
      String viaLeader = http.get(leader);
      String viaFollower = http.get(follower);

      // Warm-up: the JIT, and time for every node to find the dead one dead.
      HttpLoad.run(viaLeader, 8, Duration.ofSeconds(3), 1);
      HttpLoad.run(viaFollower, 8, Duration.ofSeconds(3), 2);
      assertEquals(leader, awaitLeader(viaFollower), "the leader stayed");

      HttpLoad.Result l1 = HttpLoad.run(viaLeader, 1, Duration.ofSeconds(4), 3);
      HttpLoad.Result f1 = HttpLoad.run(viaFollower, 1, Duration.ofSeconds(4), 4);
      HttpLoad.Result l64 = HttpLoad.run(viaLeader, 64, Duration.ofSeconds(4), 5);
      HttpLoad.Result f64 = HttpLoad.run(viaFollower, 64, Duration.ofSeconds(4), 6);
      System.out.printf("NodeRoutingProcessTest: {\"dead\":\"%s\",\"leader\":%s,\"follower\":%s,"
              + "\"leader_64\":%s,\"follower_64\":%s,\"ratio_1\":%.2f,\"ratio_64\":%.2f}%n", dead, l1.json(), f1.json(),
          l64.json(), f64.json(), f1.perSecond() / l1.perSecond(), f64.perSecond() / l64.perSecond());

      for (HttpLoad.Result r : List.of(l1, f1, l64, f64)) {
        assertEquals(0, r.failed(), () -> "every put answered 200: " + r.json() + ", first failure " + r.firstFailure());
      }
      assertTrue(f1.ok() >= 100, () -> "a few hundred puts through the follower: " + f1.json());
      long bound = ATTEMPT_TIMEOUT.toNanos() / 1000 / 2;
      for (HttpLoad.Result r : List.of(l1, f1)) {
        assertTrue(r.p99Micros() < bound, () -> "p99 below half the attempt timeout (" + ATTEMPT_TIMEOUT
            + "): a request never waits on the dead replica: " + r.json());
      }
    }
  }
}
