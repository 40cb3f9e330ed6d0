package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shardctrl.CtrlReply;

/**
 * The sharded admin routes over a {@link ScriptedShardAdmin}, for what a running cluster does not
 * show on demand: the server-sent-event watch when the controller does not answer, and its
 * parameters checked before the stream starts. (The routes against a real controller:
 * {@code node.ShardedAdminHttpTest}.)
 */
class ShardAdminRoutesTest {
  static ActorTestKit testKit;
  static final ScriptedShardAdmin admin = new ScriptedShardAdmin();
  static URI base;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding b = HttpApi.startSharded(testKit.system(), new InMemoryKvClient(KvLimits.defaults()), KvLimits.defaults(),
        "127.0.0.1", 0, NodeOps.defaults(), new ShardAdminRoutes(admin, Duration.ofSeconds(5))).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + b.localAddress().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static HttpResponse<String> events(String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(30)).build();
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aControllerThatDoesNotAnswerEndsTheStreamWithOneErrorEvent() throws Exception {
    admin.next.set(new CtrlReply.Busy());
    try {
      HttpResponse<String> r = events("admin/watch?after=1"); // the whole body: the stream ended
      assertEquals(200, r.statusCode());
      List<String> lines = r.body().lines().filter(l -> !l.isEmpty() && !l.startsWith(":")).toList();
      assertEquals(2, lines.size(), r.body());
      String type = lines.stream().filter(l -> l.startsWith("event:")).findFirst().orElseThrow();
      String data = lines.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
      assertEquals("error", type.substring("event:".length()).trim(), r.body());
      assertEquals("BUSY", ApiJson.MAPPER.readTree(data.substring("data:".length())).path("code").asText(), r.body());
    } finally {
      admin.next.set(null);
    }
  }

  @Test
  void streamParametersAreCheckedBeforeTheStreamStarts() throws Exception {
    for (String q : List.of("after=x", "after=-2", "timeout=61")) {
      HttpResponse<String> r = events("admin/watch?" + q);
      assertEquals(400, r.statusCode(), q + " -> " + r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), q);
      assertEquals("BAD_REQUEST", ApiJson.MAPPER.readTree(r.body()).path("code").asText(), q + " -> " + r.body());
    }
  }

  @Test
  void aGroupsShardsListEachReplicaWithEveryShardsStatusAndKeys() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("admin/groups/101/shards")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    var body = ApiJson.MAPPER.readTree(r.body());
    assertEquals(2, body.path("num").asInt());
    assertEquals(101, body.path("gid").asInt());
    assertEquals("[5,6,7,8,9]", body.path("owned").toString());
    var replica = body.path("replicas").get(0);
    assertEquals("g101|n3", replica.path("server").asText());
    assertTrue(replica.path("leader").asBoolean());
    assertEquals(2, replica.path("applied").asInt());
    assertEquals("{\"shard\":0,\"status\":\"ABSENT\",\"keys\":0}", replica.path("shards").get(0).toString());
    assertEquals("{\"shard\":5,\"status\":\"SERVING\",\"keys\":1}", replica.path("shards").get(5).toString());
    for (String[] bad : new String[][] {{"admin/groups/7/shards", "404", "UNKNOWN_GROUP"}, {"admin/groups/x/shards", "400", "BAD_REQUEST"}}) {
      HttpResponse<String> b = http.send(HttpRequest.newBuilder(base.resolve(bad[0])).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(Integer.parseInt(bad[1]), b.statusCode(), bad[0] + " -> " + b.body());
      assertEquals(bad[2], ApiJson.MAPPER.readTree(b.body()).path("code").asText(), bad[0] + " -> " + b.body());
    }
  }
}
