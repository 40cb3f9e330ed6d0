package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import node.NodeDrain;
import node.ShardAdmin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/**
 * The replica move and drain routes over a scripted {@link ShardAdmin}: the route passes the gid
 * and nodes its path and query name, and each typed answer becomes its status and code; read
 * through {@link HttpShardAdmin}, what {@code bin/raftkv admin move-replica|drain-node} prints.
 */
class ShardReplicaRoutesTest {
  static ActorTestKit testKit;
  static HttpShardAdmin http;
  static final AtomicReference<Object> next = new AtomicReference<>();
  static final AtomicReference<String> asked = new AtomicReference<>();
  static final ShardConfig MOVED = new ShardConfig(5, List.of(100, 100), new TreeMap<>(Map.of(100, List.of("g100|n2", "g100|n4"))));

  static final class Scripted implements ShardAdmin {
    @Override
    public CompletionStage<CtrlReply> shards() {
      return CompletableFuture.completedFuture(new CtrlReply.Config(MOVED));
    }

    @Override
    public CompletionStage<CtrlReply> joinGroup(int gid, List<String> nodes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<CtrlReply> leaveGroup(int gid) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<CtrlReply> move(int shard, int gid) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<CtrlReply> moveReplica(int gid, String from, String to) {
      asked.set("move " + gid + " " + from + " " + to);
      return CompletableFuture.completedFuture((CtrlReply) next.get());
    }

    @Override
    public CompletionStage<CtrlReply> moveControllerReplica(String from, String to) {
      asked.set("move ctrl " + from + " " + to);
      return CompletableFuture.completedFuture((CtrlReply) next.get());
    }

    @Override
    public CompletionStage<node.NodeReplicas> nodes() {
      return CompletableFuture.completedFuture((node.NodeReplicas) next.get());
    }

    @Override
    public CompletionStage<NodeDrain> drainNode(String node) {
      asked.set("drain " + node);
      return CompletableFuture.completedFuture((NodeDrain) next.get());
    }

    @Override
    public CompletionStage<CtrlReply> watch(long afterNum, Duration timeout) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<java.util.List<node.ShardState>> shardStates(ShardConfig config, List<Integer> shards) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<node.ReplicaShards>> groupShards(ShardConfig config, int gid) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.Optional<shardkv.KeyRanges> keyRanges() {
      return java.util.Optional.empty();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding binding = HttpApi.startSharded(testKit.system(), new InMemoryKvClient(KvLimits.defaults()),
        KvLimits.defaults(), "127.0.0.1", 0, NodeOps.defaults(), new ShardAdminRoutes(new Scripted(), Duration.ofSeconds(5)))
        .toCompletableFuture().get();
    http = new HttpShardAdmin(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/"), Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static JsonNode json(HttpShardAdmin.Answer a) throws Exception {
    return ApiJson.MAPPER.readTree(a.body());
  }

  private static void refused(CtrlReply r, int status, ErrorCode code) throws Exception {
    next.set(r);
    HttpShardAdmin.Answer a = http.moveReplica(100, "n1", "n4");
    assertEquals(status, a.status(), a::body);
    assertEquals(code.name(), json(a).get("code").asText(), a::body);
  }

  @Test
  void aReplicaMoveAnswersTheNewConfigurationOrItsTypedRefusal() throws Exception {
    next.set(new CtrlReply.Config(MOVED));
    HttpShardAdmin.Answer ok = http.moveReplica(100, "n1", "n4");
    assertEquals(200, ok.status(), ok::body);
    assertEquals("move 100 n1 n4", asked.get());
    assertEquals("g100|n4", json(ok).get("groups").get("100").get(1).asText());

    refused(new CtrlReply.UnknownGid(100), 404, ErrorCode.UNKNOWN_GROUP);
    refused(new CtrlReply.UnknownNode("n4"), 404, ErrorCode.UNKNOWN_NODE);
    refused(new CtrlReply.NoReplicaOnNode(100, "n1"), 404, ErrorCode.NO_REPLICA_ON_NODE);
    refused(new CtrlReply.ReplicaOnNode(100, "n4"), 409, ErrorCode.REPLICA_ON_NODE);
    refused(new CtrlReply.MoveInProgress(100, "n2 -> n4"), 409, ErrorCode.MOVE_IN_PROGRESS);
    refused(new CtrlReply.Rejected("promoting n4: LEARNER_BEHIND; undone"), 400, ErrorCode.BAD_REQUEST);
    refused(CtrlReply.TIMEOUT, 503, ErrorCode.TIMEOUT);

    HttpShardAdmin.Answer noTo = http.moveReplica(100, "n1", "");
    assertEquals(400, noTo.status(), noTo::body);
    assertTrue(json(noTo).get("error").asText().contains("?from=<node>&to=<node>"), noTo::body);
  }

  @Test
  void aControllerReplicaMoveIsAddressedAsCtrlAndAnswersTheControllersServers() throws Exception {
    next.set(new CtrlReply.Controllers(7, List.of("ctrl|n2", "ctrl|n3", "ctrl|n4")));
    HttpShardAdmin.Answer ok = http.moveReplica("ctrl", "n1", "n4");
    assertEquals(200, ok.status(), ok::body);
    assertEquals("move ctrl n1 n4", asked.get());
    assertEquals(7, json(ok).get("num").asInt(), ok::body);
    assertEquals("ctrl|n4", json(ok).get("controller").get(2).asText(), ok::body);

    next.set(new CtrlReply.ReplicaOnNode(CtrlReply.Controllers.GID, "n2"));
    HttpShardAdmin.Answer refused = http.moveReplica("ctrl", "n1", "n2");
    assertEquals(409, refused.status(), refused::body);
    assertEquals("REPLICA_ON_NODE", json(refused).get("code").asText());
    assertTrue(json(refused).get("error").asText().contains("the controller"), refused::body);

    HttpShardAdmin.Answer bad = http.moveReplica("controller", "n1", "n2");
    assertEquals(400, bad.status(), bad::body);
  }

  @Test
  void aDrainAnswersWhatMovedAndWhatIsLeft() throws Exception {
    next.set(new NodeDrain("n1", List.of("g100|n1 -> g100|n4"), List.of(), List.of("ctrl|n1"), null));
    HttpShardAdmin.Answer ok = http.drainNode("n1");
    assertEquals(200, ok.status(), ok::body);
    assertEquals("drain n1", asked.get());
    JsonNode body = json(ok);
    assertTrue(body.get("done").asBoolean(), ok::body);
    assertEquals("g100|n1 -> g100|n4", body.get("moved").get(0).asText());
    assertEquals(0, body.get("left").size());
    assertEquals("ctrl|n1", body.get("not_moved").get(0).asText());
    assertTrue(body.get("code") == null, ok::body);

    next.set(new NodeDrain("n1", List.of(), List.of("g101|n1"), List.of(), new CtrlReply.MoveInProgress(101, "n1 -> n3")));
    HttpShardAdmin.Answer stopped = http.drainNode("n1");
    assertEquals(409, stopped.status(), stopped::body);
    JsonNode s = json(stopped);
    assertEquals("MOVE_IN_PROGRESS", s.get("code").asText());
    assertEquals("g101|n1", s.get("left").get(0).asText());
    assertTrue(!s.get("done").asBoolean(), stopped::body);
  }

  @Test
  void theNodesListTheirReplicasAndTheMovesRunningHere() throws Exception {
    next.set(new node.NodeReplicas(7, new TreeMap<>(Map.of(
        "n1", new node.NodeReplicas.Node(true, List.of("g100|n1", "ctrl|n1")),
        "n4", new node.NodeReplicas.Node(false, List.of()))), new TreeMap<>(Map.of(100, "n1 -> n4"))));
    HttpShardAdmin.Answer ok = http.nodes();
    assertEquals(200, ok.status(), ok::body);
    JsonNode body = json(ok);
    assertEquals(7, body.get("num").asLong());
    assertEquals("ctrl|n1", body.get("nodes").get("n1").get("replicas").get(1).asText(), ok::body);
    assertTrue(!body.get("nodes").get("n4").get("up").asBoolean(), ok::body);
    assertEquals("n1 -> n4", body.get("moving").get("100").asText(), ok::body);

    next.set(null);
    HttpShardAdmin.Answer none = http.nodes();
    assertEquals(503, none.status(), none::body);
    assertEquals("TIMEOUT", json(none).get("code").asText());
  }
}
