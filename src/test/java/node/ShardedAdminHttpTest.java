package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvraft.KvLimits;
import node.http.HttpApi;
import node.http.NodeOps;
import node.http.ShardAdminRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import testkit.Polled;

/**
 * The sharded admin API of a running sharded cluster in one JVM (three {@link ShardedNode}s, as
 * {@code bin/raftkv local --sharded} runs them; HTTP on the first, key ranges for the 10 shards):
 * {@code GET /admin/watch} against the real controller, and {@code bin/raftkv admin watch} over it.
 * The join runs first: later tests move shards between its group and the initial one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardedAdminHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> BOUNDARIES = List.of("b", "c", "d", "e", "f", "g", "h", "i", "j");
  private static final HttpClient http = HttpClient.newHttpClient();

  @TempDir static Path data;
  static List<ShardedNode> nodes = List.of();
  static URI base;

  record Answer(int status, JsonNode body, long millis) {}

  @BeforeAll
  static void start() throws Exception {
    Config own = NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER);
    StringBuilder hocon = new StringBuilder("raftkv.sharded { fsync = off, key-ranges = [")
        .append(String.join(", ", BOUNDARIES)).append("], nodes {");
    for (String n : List.of("n1", "n2", "n3")) hocon.append(' ').append(n).append(" = \"127.0.0.1:").append(ShardedProcessConfs.freePort()).append("\",");
    Config config = ConfigFactory.parseString(hocon.append(" } }").toString()).withFallback(own).resolve();
    nodes = ShardedNode.startAll(NodeSettings.shardedSpec(config), data, config);
    ShardedNode first = nodes.get(0);
    ServerBinding b = HttpApi.startSharded(first.system(), first.client(), KvLimits.defaults(), "127.0.0.1", 0,
        new NodeOps("sharded", Set.of(), 1000), new ShardAdminRoutes(first.admin(), Duration.ofSeconds(60)))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + b.localAddress().getPort() + "/");
    for (ShardedNode n : nodes) n.bootstrapped().get(120, TimeUnit.SECONDS);
    Polled.until(() -> get("admin/shards"), a -> a.status() == 200 && a.body().path("num").asLong() >= 1,
        Duration.ofSeconds(120), "configuration 1 (group 100 joined)");
  }

  @AfterAll
  static void stop() {
    nodes.forEach(ShardedNode::close);
  }


  static Answer send(String method, String path, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120));
    if (json != null) b.header("Content-Type", "application/json");
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), JSON.readTree(r.body()), (System.nanoTime() - t0) / 1_000_000);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    }
  }

  static Answer get(String path) {
    return send("GET", path, null);
  }

  static long latestNum() {
    Answer a = get("admin/shards");
    assertEquals(200, a.status(), a.body().toString());
    return a.body().path("num").asLong();
  }

  @Test
  @Order(1)
  void theWatchAnswersWhenAJoinIsAppliedNotBefore() throws Exception {
    long n = latestNum();
    CompletableFuture<Answer> watch = CompletableFuture.supplyAsync(() -> get("admin/watch?after=" + n + "&timeout=60"));
    // A later request is answered while the watch waits: nothing newer than n exists yet.
    assertEquals(n, latestNum());
    assertFalse(watch.isDone(), "answered before any newer configuration: " + (watch.isDone() ? watch.join() : null));

    Answer joined = send("POST", "admin/groups", "{\"gid\":101,\"nodes\":[\"n1\",\"n2\",\"n3\"]}");
    assertEquals(200, joined.status(), joined.body().toString());
    Answer w = watch.get(60, TimeUnit.SECONDS);
    assertEquals(200, w.status(), w.body().toString());
    assertTrue(w.body().path("changed").asBoolean(), w.body().toString());
    assertEquals(n + 1, w.body().path("num").asLong(), w.body().toString());
    assertEquals(joined.body().path("num").asLong(), w.body().path("num").asLong());
    assertTrue(w.body().path("groups").has("101"), w.body().toString());
    assertEquals(joined.body().path("shards"), w.body().path("shards"));
    JsonNode ranges = w.body().path("ranges");
    assertEquals(10, ranges.size(), w.body().toString());
    assertEquals("", ranges.get(0).path("from").asText());
    assertEquals("b", ranges.get(0).path("to").asText());
    assertEquals("j", ranges.get(9).path("from").asText());
    assertFalse(ranges.get(9).has("to"), "the last shard is unbounded above: " + ranges.get(9));
  }

  @Test
  @Order(2)
  void aWatchWithNothingNewTimesOutWithChangedFalse() {
    long n = latestNum();
    assertUnchanged("admin/watch?after=" + n + "&timeout=1", n, 1000);
  }

  @Test
  @Order(3)
  void aWatchAfterTheLatestWaitsAndAnswersTheLatestNumber() {
    long n = latestNum();
    assertUnchanged("admin/watch?after=" + (n + 100) + "&timeout=2", n, 2000);
  }

  /** The watch answers {@code changed: false} with the latest number {@code n}, not before {@code millis}. */
  private static void assertUnchanged(String watch, long n, long millis) {
    Answer a = get(watch);
    assertEquals(200, a.status(), a.body().toString());
    assertEquals("{\"changed\":false,\"num\":" + n + "}", a.body().toString());
    assertTrue(a.millis() >= millis, "answered after " + a.millis() + " ms, before its timeout");
  }

  @Test
  @Order(4)
  void withoutAfterTheLatestAtOnceAndOtherwiseEveryConfigurationInTurn() {
    long n = latestNum();
    Answer latest = get("admin/watch?timeout=0");
    assertTrue(latest.body().path("changed").asBoolean(), latest.body().toString());
    assertEquals(n, latest.body().path("num").asLong());
    // Two configurations made before the next poll: each is answered in turn, none skipped.
    assertEquals(200, send("POST", "admin/shards/0/move?to=101", null).status());
    assertEquals(200, send("POST", "admin/shards/0/move?to=100", null).status());
    Answer next = get("admin/watch?after=" + n + "&timeout=5");
    assertEquals(n + 1, next.body().path("num").asLong(), next.body().toString());
    assertEquals(101, next.body().path("shards").get(0).asInt(), next.body().toString());
    Answer then = get("admin/watch?after=" + (n + 1) + "&timeout=5");
    assertEquals(n + 2, then.body().path("num").asLong(), then.body().toString());
    assertEquals(100, then.body().path("shards").get(0).asInt(), then.body().toString());
  }

  @Test
  @Order(5)
  void badWatchParametersAndUnknownAdminRoutesAreTypedErrors() {
    for (String q : List.of("after=x", "after=-2", "after=1.5", "timeout=61", "timeout=-1", "timeout=1s", "after=1&timeout=")) {
      Answer a = get("admin/watch?" + q);
      assertEquals(400, a.status(), q + " -> " + a.body());
      assertEquals("BAD_REQUEST", a.body().path("code").asText(), q + " -> " + a.body());
    }
    Answer unknown = get("admin/nothing-here");
    assertEquals(404, unknown.status(), unknown.body().toString());
    assertEquals("NOT_FOUND", unknown.body().path("code").asText());
    Answer wrongMethod = send("POST", "admin/watch", null);
    assertEquals(405, wrongMethod.status(), wrongMethod.body().toString());
    assertEquals("METHOD_NOT_ALLOWED", wrongMethod.body().path("code").asText());
  }

  @Test
  @Order(6)
  void theCliWatchPrintsOneJsonLinePerNewConfiguration() throws Exception {
    long n = latestNum();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> watching = CompletableFuture.supplyAsync(() -> {
      CommandLine cl = new CommandLine(new cli.AdminCommand());
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      return cl.execute("--http", base.toString(), "watch", "--after", Long.toString(n), "--count", "2", "--poll", "5");
    });
    assertEquals(200, send("POST", "admin/shards/1/move?to=101", null).status());
    assertEquals(200, send("POST", "admin/shards/1/move?to=100", null).status());
    assertEquals(0, watching.get(60, TimeUnit.SECONDS), err.toString());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().split("\n")) lines.add(JSON.readTree(line));
    assertEquals(2, lines.size(), out.toString());
    assertEquals(n + 1, lines.get(0).path("num").asLong(), out.toString());
    assertEquals(101, lines.get(0).path("shards").get(1).asInt(), out.toString());
    assertEquals(n + 2, lines.get(1).path("num").asLong(), out.toString());
    assertEquals(100, lines.get(1).path("shards").get(1).asInt(), out.toString());

    // A poll of 0 s would ask without pause: a usage error before any request.
    CommandLine usage = new CommandLine(new cli.AdminCommand());
    StringWriter usageErr = new StringWriter();
    usage.setErr(new PrintWriter(usageErr, true));
    assertEquals(cli.AdminCommand.USAGE, usage.execute("--http", base.toString(), "watch", "--poll", "0"));
    assertTrue(usageErr.toString().contains("--poll must be 1..60"), usageErr.toString());
  }

  @Test
  @Order(7)
  void theShardListingMatchesTheControllersConfiguration() {
    JsonNode config = get("admin/shards").body();
    long num = config.path("num").asLong();
    // Shards moved by the tests above settle once their new owner has pulled them.
    Answer listing = Polled.until(() -> get("admin/shard"), a -> a.status() == 200
            && a.body().path("num").asLong() == num && everyShardServedAt(a.body().path("shards"), num),
        Duration.ofSeconds(60), "every shard SERVING at configuration " + num);
    JsonNode shards = listing.body().path("shards");
    assertEquals(10, shards.size(), listing.body().toString());
    for (int s = 0; s < 10; s++) {
      JsonNode shard = shards.get(s);
      String where = "shard " + s + ": " + shard;
      assertEquals(s, shard.path("shard").asInt(), where);
      int gid = config.path("shards").get(s).asInt();
      assertEquals(gid, shard.path("gid").asInt(), where);
      assertEquals(s == 0 ? "" : BOUNDARIES.get(s - 1), shard.path("range").path("from").asText(), where);
      assertEquals(s == 9 ? null : BOUNDARIES.get(s), shard.path("range").has("to") ? shard.path("range").path("to").asText() : null, where);
      List<String> servers = new ArrayList<>();
      config.path("groups").path(Integer.toString(gid)).forEach(n -> servers.add(n.asText()));
      assertTrue(servers.contains(shard.path("leader").asText()), where + " leader not one of " + servers);
    }

    Answer one = get("admin/shard/3");
    assertEquals(200, one.status(), one.body().toString());
    assertEquals(num, one.body().path("num").asLong());
    for (String field : List.of("shard", "range", "gid", "status", "applied"))
      assertEquals(shards.get(3).path(field), one.body().path(field), field + ": " + one.body());

    for (String unknown : List.of("10", "-1", "2147483648")) {
      Answer a = get("admin/shard/" + unknown);
      String where = unknown + " -> " + a.body();
      assertEquals(unknown.equals("2147483648") ? 400 : 404, a.status(), where);
      assertEquals(unknown.equals("2147483648") ? "BAD_REQUEST" : "UNKNOWN_SHARD", a.body().path("code").asText(), where);
    }
    Answer malformed = get("admin/shard/three");
    assertEquals(400, malformed.status(), malformed.body().toString());
    assertEquals("BAD_REQUEST", malformed.body().path("code").asText());
  }

  /** A sharded node's replicas all carry the node's name as id: /status names each one's group. */
  @Test
  @Order(7)
  void statusNamesTheGroupOfEveryLocalReplica() {
    Answer a = Polled.until(() -> get("status"), x -> x.status() == 200 && x.body().path("replicas").size() >= 2,
        Duration.ofSeconds(60), "the node's controller and group 100 replicas in /status");
    java.util.Set<String> groups = new java.util.TreeSet<>();
    for (JsonNode r : a.body().path("replicas")) {
      assertEquals("n1", r.path("id").asText(), r.toString());
      assertTrue(!r.path("group").asText().isEmpty(), "no group: " + r);
      groups.add(r.path("group").asText());
    }
    assertEquals(a.body().path("replicas").size(), groups.size(), "one replica per group on a node: " + a.body());
    assertTrue(groups.stream().anyMatch(g -> g.contains("100")), "group 100 missing: " + groups);
  }

  private static boolean everyShardServedAt(JsonNode shards, long num) {
    for (JsonNode s : shards)
      if (!s.path("status").asText().equals("SERVING") || s.path("applied").asLong() != num || !s.has("leader")) return false;
    return shards.size() > 0;
  }

  @Test
  @Order(8)
  void serverSentEventsCarryEveryNewConfigurationAndResumeFromLastEventId() throws Exception {
    long n = latestNum();
    HttpRequest stream = HttpRequest.newBuilder(base.resolve("admin/watch?after=" + n))
        .header("Accept", "text/event-stream").build();
    HttpResponse<java.util.stream.Stream<String>> r = http.sendAsync(stream, HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    CompletableFuture.runAsync(() -> r.body().forEach(lines::add));
    assertEquals(200, send("POST", "admin/shards/2/move?to=101", null).status());
    assertEquals(200, send("POST", "admin/shards/2/move?to=100", null).status());
    List<JsonNode> events = configEvents(lines, 2);
    r.body().close();
    assertEquals(n + 1, events.get(0).path("id").asLong(), events.toString());
    assertEquals(n + 1, events.get(0).path("data").path("num").asLong(), events.toString());
    assertEquals(101, events.get(0).path("data").path("shards").get(2).asInt(), events.toString());
    assertEquals(n + 2, events.get(1).path("id").asLong(), events.toString());
    assertEquals(100, events.get(1).path("data").path("shards").get(2).asInt(), events.toString());

    // An EventSource reconnects with the last id it saw: the stream resumes after it.
    HttpRequest resumed = HttpRequest.newBuilder(base.resolve("admin/watch")).header("Accept", "text/event-stream")
        .header("Last-Event-ID", Long.toString(n + 1)).build();
    HttpResponse<java.util.stream.Stream<String>> again = http.sendAsync(resumed, HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    java.util.concurrent.BlockingQueue<String> more = new java.util.concurrent.LinkedBlockingQueue<>();
    CompletableFuture.runAsync(() -> again.body().forEach(more::add));
    JsonNode first = configEvents(more, 1).get(0);
    again.body().close();
    assertEquals(n + 2, first.path("id").asLong(), first.toString());
  }

  /** The first {@code count} {@code config} events of a stream's lines, each as {"id", "data"}. */
  private static List<JsonNode> configEvents(java.util.concurrent.BlockingQueue<String> lines, int count) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    String type = null;
    var event = JSON.createObjectNode();
    while (events.size() < count) {
      String line = lines.poll(60, TimeUnit.SECONDS);
      if (line == null) throw new AssertionError("no event within 60 s; got " + events);
      if (line.startsWith("event:")) type = line.substring(6).trim();
      else if (line.startsWith("id:")) event.put("id", Long.parseLong(line.substring(3).trim()));
      else if (line.startsWith("data:")) event.set("data", JSON.readTree(line.substring(5).trim()));
      else if (line.isEmpty()) {
        if ("config".equals(type)) events.add(event);
        type = null;
        event = JSON.createObjectNode();
      }
    }
    return events;
  }
}
