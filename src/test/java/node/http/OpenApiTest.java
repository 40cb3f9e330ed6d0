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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.json} against the running routes (over the in-memory client): the node serves
 * it; every path and method it describes answers with one of the statuses it lists, and its error
 * bodies carry a code of its ErrorCode schema; every path and method the server answers is in it;
 * and its ErrorCode list is {@link ErrorCode}.
 */
class OpenApiTest {
  static ActorTestKit testKit;
  static InMemoryKvClient client = new InMemoryKvClient(KvLimits.defaults());
  static URI base;
  static final HttpClient http = HttpClient.newHttpClient();
  static JsonNode doc;

  static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD");

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding binding = HttpApi.start(testKit.system(), client, "127.0.0.1", 0).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
    HttpResponse<String> r = send("GET", "openapi.json", null);
    assertEquals(200, r.statusCode());
    doc = ApiJson.MAPPER.readTree(r.body());
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

  /** A concrete request path for a templated one. */
  static String concrete(String template) {
    return template.substring(1).replace("{key}", "some%2Fkey");
  }

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
        JsonNode responses = path.getValue().get(method).path("responses");
        String body = path.getValue().get(method).has("requestBody") ? "v1" : null;
        HttpResponse<String> r = send(method.toUpperCase(), concrete(path.getKey()), body);
        String where = method + " " + path.getKey() + " -> " + r.statusCode() + " " + r.body();
        assertTrue(responses.has(String.valueOf(r.statusCode())), "status not described: " + where);
        assertTrue(r.statusCode() != 404 || path.getKey().equals("/kv/{key}"), "route missing: " + where);
        checked++;
      }
    }
    assertEquals(10, checked, "get/put/delete key, append, scan, status, openapi, livez, readyz, metrics");
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

  @Test
  void everyRouteTheServerAnswersIsDescribed() throws Exception {
    List<String> probes = new ArrayList<>(List.of("kv/x", "kv/x/append", "kv", "status", "openapi.json",
        "kv/x/y", "kv/x/append/more", "", "status/x", "openapi.yaml", "admin", "kv/", "livez", "readyz", "metrics",
        "metrics/x"));
    for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) probes.add(concrete(it.next()));
    for (String path : probes) {
      for (String method : METHODS) {
        HttpResponse<String> r = send(method, path, method.equals("PUT") || method.equals("POST") ? "v" : null);
        if (r.statusCode() == 404 && (path.startsWith("kv/x") || path.startsWith("kv/some")) && method.equals("GET"))
          continue; // an absent key, not an absent route
        if (r.statusCode() == 404 || r.statusCode() == 405) continue;
        String template = template(path);
        assertTrue(doc.path("paths").has(template) && doc.path("paths").get(template).has(method.toLowerCase())
            || (method.equals("HEAD") && doc.path("paths").path(template).has("get")),
            method + " /" + path + " answers " + r.statusCode() + " but is not described");
      }
    }
  }

  /** The described template a concrete path matches: /kv/{key} for kv/anything (one segment). */
  private static String template(String path) {
    List<String> parts = Arrays.asList(path.split("/", -1));
    if (parts.size() == 2 && parts.get(0).equals("kv") && !parts.get(1).isEmpty()) return "/kv/{key}";
    if (parts.size() == 3 && parts.get(0).equals("kv") && parts.get(2).equals("append")) return "/kv/{key}/append";
    return "/" + path;
  }

  @Test
  void theErrorCodeSchemaIsTheErrorCodeEnum() {
    List<String> described = new ArrayList<>();
    doc.at("/components/schemas/ErrorCode/enum").forEach(c -> described.add(c.asText()));
    assertEquals(Arrays.stream(ErrorCode.values()).map(Enum::name).toList(), described);
  }
}
