package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kvraft.KvLimits;
import node.KvNode;
import node.NodeSettings;
import node.NodeSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import testkit.HeadlessChromium;

/**
 * GET /dashboard in a real headless Chromium (the OS package) against a running local group (three
 * replicas on LevelDB, one process): the page shows the group with its current leader and term,
 * and the same page, left open, shows the new leader and term after the test moves leadership
 * through the admin API. Runs only when Chromium is on PATH: .ci/run installs it, so in CI it
 * always runs; elsewhere it is skipped saying how to install it.
 */
class DashboardBrowserTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Generous: the machine is shared and a browser start can take seconds under load. */
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern GROUP_ROW =
      Pattern.compile("<tr data-group=\"([^\"]+)\" data-leader=\"([^\"]*)\" data-term=\"(\\d+)\">(.*?)</tr>");

  private static HeadlessChromium chromium;
  private static KvNode node;
  private static String group;
  private static URI base;

  /** The group's leader and term as /status says (every replica's view, the highest term). */
  private record Leader(String leader, long term) {}

  @BeforeAll
  static void start() throws Exception {
    chromium = HeadlessChromium.onPath().orElse(null);
    if (chromium == null) return; // each test is then reported skipped, with the reason (see requireChromium)
    Path dir = Files.createDirectories(Path.of("target", "dashboard-test", UUID.randomUUID().toString()));
    Config config = ConfigFactory.load();
    NodeSpec spec = NodeSettings.nodeSpec(config).asLocal(dir);
    group = spec.group().toString();
    NodeMetrics metrics = new NodeMetrics(group);
    node = KvNode.start(spec, config, metrics);
    ServerBinding binding = HttpApi.start(node.system(), node.client(), KvLimits.defaults(), "127.0.0.1", 0,
        new NodeOps(group, Set.copyOf(spec.hosted()), NodeOps.DEFAULT_MAX_APPLY_LAG), node.admin(), metrics)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
    for (int i = 0; i < 5; i++) assertEquals(200, send("PUT", "kv/k" + i, "v" + i).statusCode());
  }

  /** In @BeforeEach rather than @BeforeAll: surefire reports an aborted @BeforeAll as no tests at all. */
  @BeforeEach
  void requireChromium() {
    Assumptions.assumeTrue(chromium != null, "chromium not on PATH: " + HeadlessChromium.INSTALL_HINT + " to run this test");
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Leader leader() throws Exception {
    JsonNode s = ApiJson.MAPPER.readTree(send("GET", "status", null).body());
    String leader = "";
    long term = 0;
    for (JsonNode r : s.path("replicas")) {
      long t = r.path("term").asLong();
      if (t > term) leader = "";
      term = Math.max(term, t);
      if (t == term && r.path("role").asText().equals("LEADER")) leader = r.path("id").asText();
    }
    return new Leader(leader, term);
  }

  private static Leader awaitLeader(java.util.function.Predicate<Leader> ok) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Leader l = leader();
    while (!(ok.test(l) && !l.leader().isEmpty())) {
      if (System.nanoTime() > deadline) throw new AssertionError("no such leader within " + TIMEOUT + ": " + l);
      Thread.sleep(100);
      l = leader();
    }
    return l;
  }

  /** Loaded once and dumped: the page lists the group, its leader and term, and the three replicas here. */
  @Test
  void thePageShowsTheGroupItsLeaderAndTermAndTheReplicas() throws Exception {
    Leader before = awaitLeader(l -> true);
    String dom = chromium.dumpDom(base.resolve("dashboard").toString(), Duration.ofSeconds(3), TIMEOUT);
    Leader after = leader();
    Matcher m = GROUP_ROW.matcher(dom);
    assertTrue(m.find(), () -> "no group row in\n" + dom);
    assertEquals(group, m.group(1));
    Leader shown = new Leader(m.group(2), Long.parseLong(m.group(3)));
    // The cluster may elect between the two reads; the page shows one of the leaders it had.
    assertTrue(shown.equals(before) || shown.equals(after), "the page shows " + shown + ", /status said " + before
        + " then " + after);
    assertTrue(m.group(4).contains("<td class=\"LEADER\">" + shown.leader() + "</td>"), m.group(0));
    assertFalse(m.find(), "one group only");
    for (PeerId p : node.spec().hosted()) {
      assertTrue(dom.contains("data-replica=\"" + p + "\""), () -> p + " missing from\n" + dom);
    }
    assertTrue(dom.contains("<td class=\"text\">this node</td>"), "local replicas are placed on this node");
    assertTrue(dom.contains("<div id=\"state\" class=\"muted\" data-polls="), "the last poll reached the node:\n" + dom);
  }

  /** One page left open: after a leadership transfer it shows the new leader and term, and lists the change. */
  @Test
  void theOpenPageFollowsALeaderChange() throws Exception {
    try (HeadlessChromium.Page page = chromium.open(base.resolve("dashboard").toString(), TIMEOUT)) {
      Leader first = awaitLeader(l -> true);
      JsonNode shown = awaitShown(page, first);
      long pollsBefore = shown.path("polls").asLong();

      Leader next = transferLeadership(first);
      shown = awaitShown(page, next);
      assertTrue(shown.path("polls").asLong() > pollsBefore, "the same page polled again: " + shown);
      // The page saw both leaders: its change list names the new one, after an entry for the old one.
      List<String> changes = new ArrayList<>();
      for (JsonNode c : shown.path("changes")) changes.add(c.path("leader").asText() + "@" + c.path("term").asText());
      int old = changes.indexOf(first.leader() + "@" + first.term());
      int now = changes.indexOf(next.leader() + "@" + next.term());
      assertTrue(old >= 0 && now > old, "changes seen by the page: " + changes + ", want " + first + " then " + next);
    }
  }

  /**
   * What the page displays: its group rows' leader and term cells, its poll count and its change
   * list. Null-safe: right after {@code open} the page may not have loaded yet (no #state element),
   * which reads as nothing shown rather than a script error.
   */
  private static final String VIEW = """
      JSON.stringify({
        polls: Number(document.getElementById('state')?.dataset.polls || 0),
        groups: [...document.querySelectorAll('#groups tbody tr')].map(tr =>
          ({group: tr.cells[0].textContent, leader: tr.cells[1].textContent, term: Number(tr.cells[2].textContent)})),
        changes: [...document.querySelectorAll('#changes li')].map(li => ({leader: li.dataset.leader, term: li.dataset.term}))
      })""";

  /** The page's view once it shows {@code want} as the group's leader and term. */
  private static JsonNode awaitShown(HeadlessChromium.Page page, Leader want) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      JsonNode view = ApiJson.MAPPER.readTree(page.evaluate(VIEW).asText());
      JsonNode g = view.path("groups").path(0);
      if (g.path("group").asText().equals(group) && g.path("leader").asText().equals(want.leader())
          && g.path("term").asLong() == want.term()) return view;
      if (System.nanoTime() > deadline) throw new AssertionError("the page never showed " + want + "; it shows " + view);
      Thread.sleep(200);
    }
  }

  /**
   * Asks the admin API to hand leadership to another voter and waits for /status to show a new
   * voter leading at a higher term. A transfer the target does not finish within an election timeout is
   * abandoned by Raft (busy machine): the test asks again, a few times.
   */
  private static Leader transferLeadership(Leader from) throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      HttpResponse<String> r = send("POST", "admin/transfer-leader", null);
      assertEquals(200, r.statusCode(), r.body());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        Leader l = leader();
        if (!l.leader().isEmpty() && l.term() > from.term() && !l.leader().equals(from.leader())) return l;
        Thread.sleep(100);
      }
    }
    throw new AssertionError("leadership did not move from " + from);
  }
}
