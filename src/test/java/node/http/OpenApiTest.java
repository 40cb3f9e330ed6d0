package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.RaftRole;
import raft.core.TransferResult;
import raft.rsm.AdminReply;
import shardctrl.CtrlReply;

/**
 * {@code openapi.json} against the running routes of both kinds of node: a replicated node (the
 * in-memory client and a scripted {@link node.GroupAdmin} for /admin) and a sharded node (the same
 * client and a {@link ScriptedShardAdmin}); an operation tagged {@code sharded admin} is checked on
 * the sharded one, {@code replicated admin} and untagged ones on the replicated one. The node serves
 * it; every path and method it describes answers with one of the statuses it lists, and its error
 * bodies carry a code of its ErrorCode schema (every refusal an admin operation can get included);
 * every path and method either server answers is in it, under the right tag; and its ErrorCode and
 * RaftRole lists are the enums.
 */
class OpenApiTest {
  static ActorTestKit testKit;
  static InMemoryKvClient client = new InMemoryKvClient(KvLimits.defaults());
  static final AdminRoutesTest.Scripted admin = new AdminRoutesTest.Scripted();
  static final ScriptedShardAdmin shardAdmin = new ScriptedShardAdmin();
  static URI base;
  static URI shardedBase;
  static final HttpClient http = HttpClient.newHttpClient();
  static JsonNode doc;

  static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD");

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding binding = HttpApi.start(testKit.system(), client, KvLimits.defaults(), "127.0.0.1", 0,
        NodeOps.defaults(), admin).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
    ServerBinding sharded = HttpApi.startSharded(testKit.system(), client, KvLimits.defaults(), "127.0.0.1", 0,
        NodeOps.defaults(), new ShardAdminRoutes(shardAdmin, Duration.ofSeconds(5))).toCompletableFuture().get();
    shardedBase = URI.create("http://127.0.0.1:" + sharded.localAddress().getPort() + "/");
    HttpResponse<String> r = send("GET", "openapi.json", null);
    assertEquals(200, r.statusCode());
    doc = ApiJson.MAPPER.readTree(r.body());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(base, method, path, body);
  }

  static HttpResponse<String> send(URI server, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(10));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A concrete request path for a templated one. */
  static String concrete(String template) {
    String path = template.substring(1).replace("{key}", "some%2Fkey").replace("{peer}", "p4").replace("{gid}", "100")
        .replace("{shard}", "3").replace("{node}", "n1");
    return path.endsWith("/replicas/move") ? path + "?from=n1&to=n3" : path.replace("/move", "/move?to=101");
  }

  static final String SHARDED = "sharded admin";

  /** Whether the operation is a sharded node's (tagged {@value #SHARDED}); the rest are a replicated node's. */
  static boolean sharded(JsonNode operation) {
    for (JsonNode t : operation.path("tags")) if (t.asText().equals(SHARDED)) return true;
    return false;
  }

  /** A body the operation accepts where it needs one. */
  static String body(String template, JsonNode operation) {
    if (template.equals("/admin/groups")) return NEW_GROUP;
    return operation.has("requestBody") ? "v1" : null;
  }

  static final String NEW_GROUP = "{\"gid\":102,\"nodes\":[\"n1\",\"n2\"]}";

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void theDocumentIsOpenApi3AndServedAsJson() throws Exception {
    assertTrue(doc.path("openapi").asText().startsWith("3."), doc.path("openapi").asText());
    HttpResponse<String> r = send("GET", "openapi.json", null);
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertTrue(doc.path("paths").size() >= 5);
  }

  @Test
  void everyDescribedOperationAnswersWithADescribedStatus() throws Exception {
    Set<String> codes = new LinkedHashSet<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> codes.add(c.asText()));
    client.put("some/key", "v0").toCompletableFuture().get();
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> path = it.next();
      for (String method : fieldNames(path.getValue())) {
        if (method.equals("parameters")) continue;
        JsonNode operation = path.getValue().get(method);
        JsonNode responses = operation.path("responses");
        HttpResponse<String> r = send(sharded(operation) ? shardedBase : base, method.toUpperCase(), concrete(path.getKey()),
            body(path.getKey(), operation));
        String where = method + " " + path.getKey() + " -> " + r.statusCode() + " " + r.body();
        assertTrue(responses.has(String.valueOf(r.statusCode())), "status not described: " + where);
        assertTrue(r.statusCode() != 404 || path.getKey().equals("/kv/{key}"), "route missing: " + where);
        checked++;
      }
    }
    assertEquals(27, checked, "get/put/delete key, append, scan, status, openapi, livez, readyz, metrics, dashboard; "
        + "admin members, add learner, promote, remove, transfer leader; sharded: configuration, join, leave, move, "
        + "shard states, one shard, watch, move replica, group shards, drain node, nodes");
    // Error statuses the operations describe: force a few through the client and check their codes.
    for (KvReply failure : List.of(KvReply.BUSY, KvReply.TIMEOUT, KvReply.SESSION_EXPIRED, new KvReply.Rejected("x"))) {
      client.failNext(failure);
      HttpResponse<String> r = send("PUT", "kv/k", "v");
      JsonNode responses = doc.at("/paths/~1kv~1{key}/put/responses");
      assertTrue(responses.has(String.valueOf(r.statusCode())), failure + " -> " + r.statusCode());
      String code = ApiJson.MAPPER.readTree(r.body()).path("code").asText();
      assertTrue(codes.contains(code), failure + " -> code " + code + " not in " + codes);
    }
  }

  /** What an admin operation can be refused with, beyond NotLeader, TransferInProgress and Unavailable (see MembershipChanges). */
  static final List<MembershipRefusal> ANY_CHANGE = List.of(MembershipRefusal.NO_CHANGE,
      MembershipRefusal.JOINT_IN_PROGRESS, MembershipRefusal.CHANGE_PENDING, MembershipRefusal.NO_COMMIT_IN_TERM);
  static final Map<String, List<MembershipRefusal>> CHANGE_REFUSALS = Map.of(
      "POST /admin/members/{peer}/learner", List.of(MembershipRefusal.ALREADY_MEMBER, MembershipRefusal.DEMOTION_UNSUPPORTED),
      "POST /admin/members/{peer}/promote", List.of(MembershipRefusal.NOT_A_LEARNER, MembershipRefusal.LEARNER_BEHIND),
      "DELETE /admin/members/{peer}", List.of(MembershipRefusal.NOT_A_MEMBER, MembershipRefusal.LAST_VOTER));

  @Test
  void everyAdminRefusalHasADescribedStatusAndCode() throws Exception {
    Set<String> codes = new LinkedHashSet<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> codes.add(c.asText()));
    PeerId p2 = PeerId.of("p2");
    List<AdminReply> unavailable = List.of(new AdminReply.NotLeader(Optional.empty()), new AdminReply.NotLeader(Optional.of(p2)),
        new AdminReply.TransferInProgress(p2), new AdminReply.Unavailable("no answer"));
    Map<String, List<AdminReply>> cases = new LinkedHashMap<>();
    CHANGE_REFUSALS.forEach((op, specific) -> {
      List<AdminReply> replies = new ArrayList<>(unavailable);
      for (MembershipRefusal r : ANY_CHANGE) replies.add(new AdminReply.MembershipRefused(r, Optional.empty()));
      for (MembershipRefusal r : specific) replies.add(new AdminReply.MembershipRefused(r, Optional.of(PeerId.of("p4"))));
      cases.put(op, replies);
    });
    List<AdminReply> transfer = new ArrayList<>(unavailable);
    for (TransferResult.Reason r : TransferResult.Reason.values()) transfer.add(new AdminReply.TransferRefused(r, Optional.of(p2)));
    cases.put("POST /admin/transfer-leader", transfer);
    int checked = 0;
    try {
      checked = checkRefusals(base, cases, admin.next::set, codes);
    } finally {
      admin.next.set(null);
    }
    assertEquals(3 * (4 + 4) + 6 + TransferResult.Reason.values().length + 4, checked);
  }

  /** What a replica move (and so a drain, which stops at its first refused move) can be refused with. */
  static final List<CtrlReply> MOVE_REFUSALS = List.of(new CtrlReply.UnknownGid(100), new CtrlReply.UnknownNode("n9"),
      new CtrlReply.NoReplicaOnNode(100, "n1"), new CtrlReply.ReplicaOnNode(100, "n3"), new CtrlReply.MoveInProgress(100, "n1 -> n4"),
      new CtrlReply.Rejected("promotion refused"), new CtrlReply.ServerUsedBefore(100, "g100|n3"),
      new CtrlReply.UnknownServer(100, "g100|n1"), new CtrlReply.SessionExpired());

  @Test
  void everyShardedAdminRefusalHasADescribedStatusAndCode() throws Exception {
    Set<String> codes = new LinkedHashSet<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> codes.add(c.asText()));
    List<CtrlReply> unavailable = List.of(new CtrlReply.Busy(), new CtrlReply.WrongLeader(Optional.empty()), CtrlReply.TIMEOUT);
    Map<String, List<CtrlReply>> specific = Map.of(
        "POST /admin/groups", List.of(new CtrlReply.GidInUse(102), new CtrlReply.InvalidGid(0), new CtrlReply.InvalidServers(102),
            new CtrlReply.Rejected("node n9 is not in this cluster"), new CtrlReply.SessionExpired()),
        "DELETE /admin/groups/{gid}", List.of(new CtrlReply.UnknownGid(100), new CtrlReply.Rejected("the only group"),
            new CtrlReply.SessionExpired()),
        "POST /admin/shards/{shard}/move", List.of(new CtrlReply.ShardOutOfRange(3, 2), new CtrlReply.UnknownGid(101),
            new CtrlReply.InvalidGid(0), new CtrlReply.SessionExpired()),
        "POST /admin/groups/{gid}/replicas/move", MOVE_REFUSALS,
        "POST /admin/nodes/{node}/drain", MOVE_REFUSALS);
    Map<String, List<CtrlReply>> cases = new LinkedHashMap<>();
    for (String op : List.of("GET /admin/shards", "POST /admin/groups", "DELETE /admin/groups/{gid}",
        "POST /admin/shards/{shard}/move", "GET /admin/shard", "GET /admin/shard/{shard}", "GET /admin/watch",
        "POST /admin/groups/{gid}/replicas/move", "POST /admin/nodes/{node}/drain", "GET /admin/groups/{gid}/shards")) {
      List<CtrlReply> replies = new ArrayList<>(unavailable);
      replies.addAll(specific.getOrDefault(op, List.of()));
      cases.put(op, replies);
    }
    int checked;
    try {
      checked = checkRefusals(shardedBase, cases, shardAdmin.next::set, codes);
    } finally {
      shardAdmin.next.set(null);
    }
    assertEquals(10 * 3 + 5 + 3 + 4 + 2 * MOVE_REFUSALS.size(), checked);
    // GET /admin/nodes without a controller answer.
    shardAdmin.next.set(CtrlReply.TIMEOUT);
    try {
      HttpResponse<String> nodes = send(shardedBase, "GET", "admin/nodes", null);
      assertEquals(503, nodes.statusCode(), nodes.body());
      assertTrue(doc.at("/paths/~1admin~1nodes/get/responses/503/description").asText().contains("TIMEOUT"));
    } finally {
      shardAdmin.next.set(null);
    }
    // Refusals of the route itself: an unknown shard, a malformed watch.
    HttpResponse<String> unknown = send(shardedBase, "GET", "admin/shard/10", null);
    assertEquals("UNKNOWN_SHARD", ApiJson.MAPPER.readTree(unknown.body()).path("code").asText(), unknown.body());
    assertTrue(doc.at("/paths/~1admin~1shard~1{shard}/get/responses/404/description").asText().contains("UNKNOWN_SHARD"));
    HttpResponse<String> noGroup = send(shardedBase, "GET", "admin/groups/102/shards", null);
    assertEquals("UNKNOWN_GROUP", ApiJson.MAPPER.readTree(noGroup.body()).path("code").asText(), noGroup.body());
    assertTrue(doc.at("/paths/~1admin~1groups~1{gid}~1shards/get/responses/404/description").asText().contains("UNKNOWN_GROUP"));
    HttpResponse<String> malformed = send(shardedBase, "GET", "admin/watch?timeout=61", null);
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertTrue(doc.at("/paths/~1admin~1watch/get/responses/400/description").asText().contains("BAD_REQUEST"));
  }

  /** Sends each case's request with each scripted reply; checks its status, code and Retry-After against the document. */
  private static <R> int checkRefusals(URI server, Map<String, List<R>> cases, java.util.function.Consumer<R> script,
      Set<String> codes) throws Exception {
    int checked = 0;
    for (Map.Entry<String, List<R>> c : cases.entrySet()) {
      String method = c.getKey().substring(0, c.getKey().indexOf(' '));
      String template = c.getKey().substring(method.length() + 1);
      JsonNode operation = doc.path("paths").path(template).path(method.toLowerCase());
      JsonNode responses = operation.path("responses");
      assertTrue(responses.size() > 0, "not described: " + c.getKey());
      for (R reply : c.getValue()) {
        script.accept(reply);
        HttpResponse<String> r = send(server, method, concrete(template), body(template, operation));
        String where = c.getKey() + " answering " + reply + " -> " + r.statusCode() + " " + r.body();
        JsonNode described = responses.path(String.valueOf(r.statusCode()));
        assertTrue(!described.isMissingNode() && r.statusCode() >= 400, "status not described: " + where);
        String code = ApiJson.MAPPER.readTree(r.body()).path("code").asText();
        assertTrue(codes.contains(code), "code not in the ErrorCode schema: " + where);
        assertTrue(described.path("description").asText().contains(code), "the description names the code: " + where);
        if (r.headers().firstValue("Retry-After").isPresent()) {
          assertTrue(described.path("headers").has("Retry-After"), "Retry-After not described: " + where);
        }
        checked++;
      }
    }
    return checked;
  }

  @Test
  void theRaftRoleSchemaIsTheRaftRoleEnum() {
    List<String> described = new ArrayList<>();
    doc.at("/components/schemas/RaftRole/enum").forEach(c -> described.add(c.asText()));
    assertEquals(Arrays.stream(RaftRole.values()).map(Enum::name).toList(), described);
  }

  @Test
  void everyRouteTheServerAnswersIsDescribed() throws Exception {
    List<String> probes = new ArrayList<>(List.of("kv/x", "kv/x/append", "kv", "status", "openapi.json",
        "kv/x/y", "kv/x/append/more", "", "status/x", "openapi.yaml", "admin", "kv/", "livez", "readyz", "metrics",
        "metrics/x", "admin/members", "admin/members/p4", "admin/members/p4/learner", "admin/members/p4/promote",
        "admin/members/p4/x", "admin/members/", "admin/transfer-leader", "admin/transfer-leader/x", "admin/x",
        "dashboard", "dashboard/x", "admin/shards", "admin/shards/3", "admin/shards/3/move", "admin/shards/3/move/x",
        "admin/shards/", "admin/groups", "admin/groups/100", "admin/groups/100/x", "admin/shard", "admin/shard/3",
        "admin/shard/3/x", "admin/shard/", "admin/watch", "admin/watch/x", "admin/watch?after=1&timeout=0",
        "admin/nodes", "admin/nodes/n1", "admin/nodes/n1/drain", "admin/nodes/n1/drain/x", "admin/groups/100/replicas",
        "admin/groups/100/replicas/move", "admin/groups/100/replicas/move?from=n1&to=n3", "admin/groups/100/replicas/move/x",
        "admin/groups/100/shards", "admin/groups/100/shards/x", "admin/groups/x/shards"));
    for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) probes.add(concrete(it.next()));
    for (URI server : List.of(base, shardedBase)) {
      for (String path : probes) {
        for (String method : METHODS) {
          HttpResponse<String> r = send(server, method, path, method.equals("PUT") || method.equals("POST") ? "v" : null);
          if (r.statusCode() == 404 && (path.startsWith("kv/x") || path.startsWith("kv/some")) && method.equals("GET"))
            continue; // an absent key, not an absent route
          if (r.statusCode() == 404 || r.statusCode() == 405) continue;
          String template = template(path.replaceFirst("\\?.*", ""));
          JsonNode operation = doc.path("paths").path(template).path(method.equals("HEAD") ? "get" : method.toLowerCase());
          String where = method + " /" + path + " answers " + r.statusCode() + " on the " + (server == base ? "replicated" : "sharded") + " node";
          assertTrue(!operation.isMissingNode(), where + " but is not described");
          assertTrue(!operation.has("tags") || sharded(operation) == (server == shardedBase), where + " but is tagged " + operation.path("tags"));
        }
      }
    }
  }

  /** The described template a concrete path matches: /kv/{key} for kv/anything (one segment). */
  private static String template(String path) {
    List<String> parts = Arrays.asList(path.split("/", -1));
    if (parts.size() == 2 && parts.get(0).equals("kv") && !parts.get(1).isEmpty()) return "/kv/{key}";
    if (parts.size() == 3 && parts.get(0).equals("kv") && parts.get(2).equals("append")) return "/kv/{key}/append";
    if (parts.size() == 3 && parts.get(0).equals("admin") && parts.get(1).equals("members") && !parts.get(2).isEmpty())
      return "/admin/members/{peer}";
    if (parts.size() == 4 && parts.get(0).equals("admin") && parts.get(1).equals("members")) {
      return "/admin/members/{peer}/" + parts.get(3);
    }
    if (parts.size() == 3 && parts.get(0).equals("admin") && List.of("groups", "shard").contains(parts.get(1))
        && !parts.get(2).isEmpty())
      return "/admin/" + parts.get(1) + (parts.get(1).equals("groups") ? "/{gid}" : "/{shard}");
    if (parts.size() == 4 && parts.get(0).equals("admin") && parts.get(1).equals("shards") && parts.get(3).equals("move"))
      return "/admin/shards/{shard}/move";
    if (parts.size() == 4 && parts.get(0).equals("admin") && parts.get(1).equals("groups") && parts.get(3).equals("shards"))
      return "/admin/groups/{gid}/shards";
    if (parts.size() == 4 && parts.get(0).equals("admin") && parts.get(1).equals("nodes") && parts.get(3).equals("drain"))
      return "/admin/nodes/{node}/drain";
    if (parts.size() == 5 && parts.get(0).equals("admin") && parts.get(1).equals("groups") && parts.get(3).equals("replicas")
        && parts.get(4).equals("move"))
      return "/admin/groups/{gid}/replicas/move";
    return "/" + path;
  }

  @Test
  void theErrorCodeSchemaIsTheErrorCodeEnum() {
    List<String> described = new ArrayList<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> described.add(c.asText()));
    assertEquals(Arrays.stream(ErrorCode.values()).map(Enum::name).toList(), described);
  }
}
