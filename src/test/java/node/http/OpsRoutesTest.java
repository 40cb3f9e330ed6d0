package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;

/** /livez, /readyz and /metrics over a real socket and an in-memory client whose status the test sets. */
class OpsRoutesTest {
  static final PeerId P1 = PeerId.of("p1");
  static final PeerId P2 = PeerId.of("p2");
  static ActorTestKit testKit;
  static final InMemoryKvClient client = new InMemoryKvClient(KvLimits.defaults());
  static final HttpClient http = HttpClient.newHttpClient();
  static URI base;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding binding = HttpApi.start(testKit.system(), client, KvLimits.defaults(), "127.0.0.1", 0,
        new NodeOps("g1", Set.of(P1), 10)).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static RaftStatus status(PeerId id, RaftRole role, long term, PeerId leader, long commit, long applied) {
    return new RaftStatus(id, role, term, Optional.ofNullable(leader), commit, applied, 1, commit);
  }

  static JsonNode probe(String path, int expected) throws Exception {
    HttpResponse<String> r = send("GET", path, null);
    assertEquals(expected, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode body = ApiJson.MAPPER.readTree(r.body());
    assertEquals(expected == 200, body.path("ok").asBoolean(), r.body());
    return body;
  }

  /** The value of the sample {@code name{labels...}} in a scrape; fails if it is absent. */
  static double sample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) continue;
      String ls = line.substring(name.length() + 1, line.indexOf('}'));
      boolean all = true;
      for (String l : labels) all &= List.of(ls.split(",")).contains(l);
      if (all && ls.split(",").length == labels.length) return Double.parseDouble(line.substring(line.indexOf('}') + 1).trim());
    }
    throw new AssertionError(name + List.of(labels) + " not in:\n" + scrape);
  }

  @Test
  void livezIsUpWhileTheActorSystemRuns() throws Exception {
    assertEquals(0, probe("livez", 200).path("reasons").size());
  }

  @Test
  void readyzNeedsALeaderAndABoundedApplyLagOnEveryLocalReplica() throws Exception {
    client.withStatus(List.of());
    assertTrue(probe("readyz", 503).path("reasons").get(0).asText().contains("no local replica"));
    // only a remote replica answers: p2 is not local to this node
    client.withStatus(List.of(status(P2, RaftRole.LEADER, 3, P2, 5, 5)));
    probe("readyz", 503);
    client.withStatus(List.of(status(P1, RaftRole.CANDIDATE, 4, null, 5, 5)));
    assertTrue(probe("readyz", 503).path("reasons").get(0).asText().contains("knows no leader"));
    client.withStatus(List.of(status(P1, RaftRole.FOLLOWER, 4, P2, 50, 39)));
    assertTrue(probe("readyz", 503).path("reasons").get(0).asText().contains("lag 11 > 10"));
    client.withStatus(List.of(status(P1, RaftRole.FOLLOWER, 4, P2, 50, 40), status(P2, RaftRole.LEADER, 4, P2, 50, 50)));
    assertEquals(0, probe("readyz", 200).path("reasons").size());
  }

  @Test
  void metricsCountRequestsByOpAndOutcomeAndShowRaftStateWithBoundedLabels() throws Exception {
    client.withStatus(List.of(status(P1, RaftRole.LEADER, 2, P1, 12, 9), status(P2, RaftRole.FOLLOWER, 2, P1, 12, 12)));
    String before = send("GET", "metrics", null).body();
    double puts = 0;
    try {
      puts = sample(before, "raftkv_http_request_duration_seconds_count", "op=\"put\"", "outcome=\"ok\"");
    } catch (AssertionError none) {
      // no put yet
    }
    assertEquals(200, send("PUT", "kv/secret-key-1", "v").statusCode());
    assertEquals(200, send("PUT", "kv/secret-key-2", "v").statusCode());
    assertEquals(404, send("GET", "kv/secret-key-3", null).statusCode());
    client.failNext(KvReply.TIMEOUT);
    assertEquals(503, send("PUT", "kv/secret-key-4", "v").statusCode());

    HttpResponse<String> r = send("GET", "metrics", null);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
    String m = r.body();
    assertEquals(puts + 2, sample(m, "raftkv_http_request_duration_seconds_count", "op=\"put\"", "outcome=\"ok\""));
    assertTrue(sample(m, "raftkv_http_request_duration_seconds_count", "op=\"get\"", "outcome=\"not_found\"") >= 1);
    assertTrue(sample(m, "raftkv_http_request_duration_seconds_bucket", "op=\"put\"", "outcome=\"ok\"", "le=\"+Inf\"") >= 2);
    assertTrue(sample(m, "raftkv_proposals_failed_total", "group=\"g1\"", "op=\"put\"") >= 1);
    assertEquals(0, sample(m, "raftkv_proposals_pending", "group=\"g1\""));
    assertEquals(1, sample(m, "raft_has_leader", "group=\"g1\""));
    assertEquals(1, sample(m, "raft_is_leader", "group=\"g1\"", "peer=\"p1\""));
    assertEquals(2, sample(m, "raft_term", "group=\"g1\"", "peer=\"p1\""));
    assertEquals(12, sample(m, "raft_proposals_committed_total", "group=\"g1\"", "peer=\"p1\""));
    assertEquals(9, sample(m, "raft_proposals_applied_total", "group=\"g1\"", "peer=\"p1\""));
    assertEquals(3, sample(m, "raft_apply_lag", "group=\"g1\"", "peer=\"p1\""));
    assertFalse(m.contains("peer=\"p2\""), "p2 is not local to this node:\n" + m);
    assertFalse(m.contains("secret-key"), "a key must never be a label:\n" + m);
  }

  @Test
  void aLeaderChangeIsCountedAndLosingTheLeaderShowsAsNoLeader() throws Exception {
    client.withStatus(List.of(status(P1, RaftRole.FOLLOWER, 5, P2, 1, 1)));
    String m0 = send("GET", "metrics", null).body();
    double changes = sample(m0, "raft_leader_changes_seen_total", "group=\"g1\"", "peer=\"p1\"");
    client.withStatus(List.of(status(P1, RaftRole.CANDIDATE, 6, null, 1, 1)));
    assertEquals(0, sample(send("GET", "metrics", null).body(), "raft_has_leader", "group=\"g1\""));
    client.withStatus(List.of(status(P1, RaftRole.LEADER, 6, P1, 2, 2)));
    String m = send("GET", "metrics", null).body();
    assertEquals(1, sample(m, "raft_has_leader", "group=\"g1\""));
    assertEquals(changes + 1, sample(m, "raft_leader_changes_seen_total", "group=\"g1\"", "peer=\"p1\""));
  }
}
