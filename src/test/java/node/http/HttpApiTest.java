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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import kvraft.InMemoryKvClient;
import kvraft.KvCommand;
import kvraft.KvLimits;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;

/** Every status-code path of the KV HTTP API, over a real socket and an in-memory KvClient. */
class HttpApiTest {
  static final KvLimits LIMITS = new KvLimits(64, 1024, 100);
  static ActorTestKit testKit;
  static ServerBinding binding;
  static final Delegate client = new Delegate();
  static final HttpClient http = HttpClient.newHttpClient();
  static URI base;

  /** Swappable so each test starts from an empty store. */
  static final class Delegate implements kvraft.KvClient {
    volatile InMemoryKvClient target = new InMemoryKvClient(LIMITS);
    volatile boolean broken;
    /** Answer lease reads as a node without raftkv.raft.read-lease does. */
    volatile boolean leaseRefused;
    /** The consistency of every command, in order. */
    final List<ReadConsistency> levels = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public java.util.concurrent.CompletionStage<KvReply> execute(KvCommand c) {
      return execute(c, ReadConsistency.LINEARIZABLE);
    }

    @Override
    public java.util.concurrent.CompletionStage<KvReply> execute(KvCommand c, ReadConsistency level) {
      if (broken) throw new IllegalStateException("bug in the client");
      levels.add(level);
      if (leaseRefused && level == ReadConsistency.LEASE)
        return java.util.concurrent.CompletableFuture.completedFuture(new KvReply.Rejected(
            "lease reads are not configured on this node (raftkv.raft.read-lease); allowed here: linearizable, serializable"));
      return target.execute(c);
    }

    @Override
    public java.util.concurrent.CompletionStage<List<RaftStatus>> status() {
      return target.status();
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    binding = HttpApi.start(testKit.system(), client, LIMITS, "127.0.0.1", 0).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    client.target = new InMemoryKvClient(LIMITS);
    client.levels.clear();
  }

  static HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (contentType != null) b.header("Content-Type", contentType);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.toString());
    return ApiJson.MAPPER.readTree(r.body());
  }

  static void expect(int code, HttpResponse<String> r) throws Exception {
    assertEquals(code, r.statusCode(), r.body());
    JsonNode body = json(r); // JSON on every path
    if (code != 200) ErrorCode.valueOf(body.path("code").asText("missing")); // and a typed code on every error
  }

  /** {@code status} with error code {@code code}; returns the body. */
  static JsonNode expect(int status, ErrorCode code, HttpResponse<String> r) throws Exception {
    expect(status, r);
    JsonNode body = json(r);
    assertEquals(code.name(), body.get("code").asText(), r.body());
    assertEquals(status, code.status().intValue(), "the code's own status");
    return body;
  }

  @Test
  void putGetDeleteRoundTrip() throws Exception {
    assertEquals("no such key", expect(404, ErrorCode.NOT_FOUND, send("GET", "kv/a", null, null)).get("error").asText());
    expect(200, send("PUT", "kv/a", "hello world", "text/plain; charset=UTF-8"));
    HttpResponse<String> got = send("GET", "kv/a", null, null);
    expect(200, got);
    assertEquals("hello world", json(got).get("value").asText());
    expect(200, send("PUT", "kv/a", "{\"value\":\"from json\"}", "application/json"));
    assertEquals("from json", json(send("GET", "kv/a", null, null)).get("value").asText());
    expect(200, send("POST", "kv/a/append", "!", null));
    assertEquals("from json!", json(send("GET", "kv/a", null, null)).get("value").asText());
    expect(200, send("DELETE", "kv/a", null, null));
    expect(404, send("GET", "kv/a", null, null));
  }

  @Test
  void encodedKeysKeepSlashesAndSpaces() throws Exception {
    expect(200, send("PUT", "kv/" + HttpKvClient.encode("a/b c"), "v", null));
    assertEquals(List.of(new KvCommand.Put("a/b c", "v")), client.target.seen());
  }

  @Test
  void compareAndSet() throws Exception {
    expect(200, send("PUT", "kv/c?absent=true", "1", null));
    HttpResponse<String> again = send("PUT", "kv/c?absent=true", "2", null);
    expect(409, ErrorCode.CONFLICT, again);
    assertEquals("1", json(again).get("current").asText());
    HttpResponse<String> wrong = send("PUT", "kv/c?expected=9", "2", null);
    expect(409, wrong);
    assertEquals("1", json(wrong).get("current").asText());
    HttpResponse<String> ok = send("PUT", "kv/c?expected=1", "2", null);
    expect(200, ok);
    assertEquals("1", json(ok).get("previous").asText());
    HttpResponse<String> absentKey = send("PUT", "kv/none?expected=1", "2", null);
    expect(409, absentKey);
    assertTrue(json(absentKey).get("current").isNull());
    expect(400, send("PUT", "kv/c?expected=1&absent=true", "3", null));
    expect(400, send("PUT", "kv/c?absent=maybe", "3", null));
  }

  @Test
  void scanWithLimitAndRange() throws Exception {
    for (String k : List.of("a", "b", "c", "d")) send("PUT", "kv/" + k, k + k, null);
    JsonNode all = json(send("GET", "kv", null, null));
    assertEquals(4, all.get("entries").size());
    assertEquals(false, all.get("more").asBoolean());
    HttpResponse<String> page = send("GET", "kv?from=b&to=d&limit=1", null, null);
    expect(200, page);
    assertEquals("b", json(page).get("entries").get(0).get("key").asText());
    assertEquals("bb", json(page).get("entries").get(0).get("value").asText());
    assertEquals(true, json(page).get("more").asBoolean());
    assertEquals(new KvCommand.Scan("", null, 100), client.target.seen().get(4)); // default capped by KvLimits
    expect(400, send("GET", "kv?limit=abc", null, null));
    expect(400, send("GET", "kv?limit=0", null, null));
    expect(400, send("GET", "kv?limit=101", null, null)); // above KvLimits.maxScanLimit
  }

  @Test
  void badInputIs400Never500() throws Exception {
    expect(400, send("PUT", "kv/a", "{\"value\": 3}", "application/json"));
    expect(400, send("PUT", "kv/a", "{not json", "application/json"));
    expect(400, send("PUT", "kv/a", "{}", "application/json"));
    expect(400, send("GET", "kv/" + "k".repeat(65), null, null)); // key above maxKeyBytes
    HttpRequest badUtf8 = HttpRequest.newBuilder(base.resolve("kv/a")).header("Content-Type", "text/plain; charset=UTF-8")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xfe})).build();
    expect(400, http.send(badUtf8, HttpResponse.BodyHandlers.ofString()));
    expect(404, ErrorCode.NOT_FOUND, send("GET", "nothing/here", null, null));
    expect(405, ErrorCode.METHOD_NOT_ALLOWED, send("PATCH", "kv/a", "x", null));
    expect(400, ErrorCode.BAD_REQUEST, send("PUT", "kv/a", "{\"value\": 3}", "application/json"));
    assertTrue(client.target.seen().isEmpty(), "bad input must not reach the client");
  }

  @Test
  void oversizedValuesAndBodiesAre413() throws Exception {
    expect(413, ErrorCode.TOO_LARGE, send("PUT", "kv/a", "x".repeat(1025), null)); // value above maxValueBytes
    expect(413, ErrorCode.TOO_LARGE, send("PUT", "kv/a", "x".repeat((int) KvRoutes.maxBodyBytes(LIMITS) + 1), null));
    expect(413, send("POST", "kv/a/append", "x".repeat(100_000), null));
    expect(200, send("PUT", "kv/a", "x".repeat(1024), null));
  }

  @Test
  void everyReplyOfTheClusterHasItsCode() throws Exception {
    client.target.failNext(KvReply.BUSY, KvReply.TIMEOUT, new KvReply.Rejected("nope"),
        new KvReply.WrongLeader(Optional.empty()), new KvReply.WrongLeader(Optional.of(PeerId.of("p2"))),
        KvReply.SESSION_EXPIRED);
    HttpResponse<String> busy = send("GET", "kv/a", null, null);
    expect(503, ErrorCode.BUSY, busy);
    assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
    HttpResponse<String> timeout = send("PUT", "kv/a", "v", null);
    expect(503, ErrorCode.TIMEOUT, timeout);
    assertEquals("1", timeout.headers().firstValue("Retry-After").orElse(""));
    assertEquals("nope", expect(400, ErrorCode.BAD_REQUEST, send("DELETE", "kv/a", null, null)).get("error").asText());
    expect(503, ErrorCode.NO_LEADER, send("GET", "kv/a", null, null));
    assertEquals("p2", expect(503, ErrorCode.WRONG_LEADER, send("GET", "kv/a", null, null)).get("leader").asText());
    HttpResponse<String> expired = send("PUT", "kv/a", "v", null);
    expect(410, ErrorCode.SESSION_EXPIRED, expired);
    assertTrue(expired.headers().firstValue("Retry-After").isEmpty(), "retrying blindly is not safe");
  }

  @Test
  void readsTakeTheConsistencyAskedForLinearizableByDefault() throws Exception {
    expect(200, send("PUT", "kv/a", "v", null));
    expect(200, send("GET", "kv/a", null, null));
    expect(200, send("GET", "kv/a?consistency=linearizable", null, null));
    expect(200, send("GET", "kv/a?consistency=serializable", null, null));
    expect(200, send("GET", "kv?consistency=serializable", null, null));
    expect(200, send("GET", "kv?consistency=linearizable", null, null));
    assertEquals(List.of(ReadConsistency.LINEARIZABLE, ReadConsistency.LINEARIZABLE, ReadConsistency.LINEARIZABLE,
        ReadConsistency.SERIALIZABLE, ReadConsistency.SERIALIZABLE, ReadConsistency.LINEARIZABLE), client.levels);
  }

  @Test
  void aLeaseReadGoesToTheClientAsSuchAndIs400WhereTheNodeHasNoReadLease() throws Exception {
    expect(200, send("PUT", "kv/a", "v", null));
    expect(200, send("GET", "kv/a?consistency=lease", null, null));
    client.leaseRefused = true;
    try {
      JsonNode body = expect(400, ErrorCode.BAD_REQUEST, send("GET", "kv/a?consistency=lease", null, null));
      assertTrue(body.get("error").asText().contains("allowed here: linearizable, serializable"), body.toString());
    } finally {
      client.leaseRefused = false;
    }
    assertEquals(List.of(ReadConsistency.LINEARIZABLE, ReadConsistency.LEASE, ReadConsistency.LEASE), client.levels);
  }

  @Test
  void anUnknownConsistencyIs400NamingTheAllowedOnes() throws Exception {
    expect(200, send("PUT", "kv/a", "v", null));
    for (String path : List.of("kv/a?consistency=foo", "kv?consistency=stale", "kv/a?consistency=")) {
      JsonNode body = expect(400, ErrorCode.UNKNOWN_CONSISTENCY, send("GET", path, null, null));
      assertEquals(List.of("linearizable", "lease", "serializable"),
          ApiJson.MAPPER.convertValue(body.get("allowed"), List.class), body.toString());
      assertTrue(body.get("error").asText().contains("allowed: linearizable, lease, serializable"), body.toString());
      assertEquals(path.substring(path.indexOf('=') + 1), body.get("consistency").asText());
    }
    assertEquals(1, client.target.seen().size(), "refused reads never reach the client: " + client.target.seen());
  }

  @Test
  void clientFailureIs500WithJson() throws Exception {
    client.broken = true;
    try {
      expect(500, send("GET", "kv/a", null, null));
    } finally {
      client.broken = false;
    }
  }

  @Test
  void statusListsEveryReplica() throws Exception {
    client.target.withStatus(List.of(
        new RaftStatus(PeerId.of("n1"), RaftRole.LEADER, 3, Optional.of(PeerId.of("n1")), 10, 9, 1, 10),
        new RaftStatus(PeerId.of("n2"), RaftRole.FOLLOWER, 3, Optional.empty(), 8, 8, 1, 10)));
    HttpResponse<String> r = send("GET", "status", null, null);
    expect(200, r);
    JsonNode replicas = json(r).get("replicas");
    assertEquals(2, replicas.size());
    assertEquals("LEADER", replicas.get(0).get("role").asText());
    assertEquals(10, replicas.get(0).get("commit_index").asLong());
    assertEquals(9, replicas.get(0).get("applied_index").asLong());
    assertTrue(replicas.get(1).get("leader").isNull());
    // The HTTP client reads it back into the same records.
    HttpKvClient c = new HttpKvClient(base, Duration.ofSeconds(5));
    assertEquals(client.target.status().toCompletableFuture().get(), c.status().toCompletableFuture().get());
  }

  @Test
  void httpKvClientRoundTripsEveryReply() throws Exception {
    HttpKvClient c = new HttpKvClient(base, Duration.ofSeconds(5));
    assertEquals(KvReply.NO_KEY, c.get("k").toCompletableFuture().get());
    assertEquals(KvReply.DONE, c.put("k", "a b/c").toCompletableFuture().get());
    assertEquals(KvReply.DONE, c.append("k", "+").toCompletableFuture().get());
    assertEquals(new KvReply.Value("a b/c+"), c.get("k").toCompletableFuture().get());
    assertEquals(new KvReply.CasResult(false, "a b/c+"), c.cas("k", "zz", "n").toCompletableFuture().get());
    assertEquals(new KvReply.CasResult(true, "a b/c+"), c.cas("k", "a b/c+", "n").toCompletableFuture().get());
    assertEquals(new KvReply.CasResult(true, null), c.cas("j", null, "m").toCompletableFuture().get());
    assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("j", "m")), true),
        c.scan("", null, 1).toCompletableFuture().get());
    assertEquals(KvReply.DONE, c.delete("k").toCompletableFuture().get());
    List<KvReply> failures = List.of(KvReply.BUSY, KvReply.TIMEOUT, new KvReply.Rejected("why"), KvReply.SESSION_EXPIRED,
        new KvReply.WrongLeader(Optional.empty()), new KvReply.WrongLeader(Optional.of(PeerId.of("p3"))));
    client.target.failNext(failures.toArray(new KvReply[0]));
    for (KvReply f : failures) assertEquals(f, c.get("k").toCompletableFuture().get(), "read back from the code");
    assertTrue(c.put("k", "x".repeat(2000)).toCompletableFuture().get() instanceof KvReply.Rejected);
  }
}
