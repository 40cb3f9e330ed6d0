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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import testkit.SeedExtension;
import testkit.linearizability.KvModel;
import testkit.linearizability.Linearizability;
import testkit.nodes.HttpKvWorkload;
import testkit.nodes.NodeProcesses;

/**
 * The sharded KV as a user runs it: three {@code bin/raftkv node} processes started from
 * {@code conf/sharded-node-1..3.conf} (ports, data directories and shard boundaries changed for
 * the test), each hosting a replica of the controller and of group 100. Six HTTP clients write
 * through all three nodes while group 101 is added ({@code POST /admin/groups}), then group 100 is
 * removed ({@code DELETE /admin/groups/100}: its shards move to 101, then its replicas are retired)
 * while node n2 is killed with SIGKILL and restarted. The history must be linearizable (strict KV
 * model: every acknowledged write is seen by the reads after it, none is lost or applied twice),
 * and at the end every shard is on group 101 and the keys are read back through every node.
 */
@ExtendWith(SeedExtension.class)
class ShardedNodesProcessTest {
  private static final List<PeerId> NODES = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"));
  /** The workload's keys (k0..k2, a0, a1) on six different shards of ten. */
  private static final String RANGES = "raftkv.sharded.key-ranges = [a1, b, c, d, e, k1, k2, m, t]\n";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private record Answer(int status, JsonNode body) {}

  private Answer call(String method, String url, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(150));
    if (json != null) b.header("Content-Type", "application/json");
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  /** The latest configuration once it has at least {@code num}, through {@code base}. */
  private JsonNode awaitConfig(String base, int num) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    Answer last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        last = call("GET", base + "/admin/shards", null);
        if (last.status() == 200 && last.body().get("num").asInt() >= num) return last.body();
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no configuration " + num + " through " + base + " within 120 s; last " + last);
  }

  private static List<Integer> shards(JsonNode config) {
    List<Integer> s = new ArrayList<>();
    config.get("shards").forEach(n -> s.add(n.asInt()));
    return s;
  }

  @Test
  void clientsWriteWhileAGroupJoinsAndTheFirstLeavesAndANodeIsKilledAndNothingAcknowledgedIsLost(long seed)
      throws Exception {
    Path dir = Path.of("target", "sharded-nodes", UUID.randomUUID().toString());
    try (NodeProcesses nodes = new NodeProcesses(GroupId.of("unused"), NODES, dir, "")) {
      ShardedProcessConfs.configure(nodes, NODES, dir, RANGES, ShardedProcessConfs::confFile);
      nodes.startAll(NODES);
      List<String> bases = new ArrayList<>();
      for (PeerId p : NODES) bases.add(nodes.awaitHttp(p));
      JsonNode one = awaitConfig(bases.get(0), 1);
      assertEquals(List.of(100, 100, 100, 100, 100, 100, 100, 100, 100, 100), shards(one), one::toString);

      HttpKvWorkload clients = new HttpKvWorkload(bases, 6, REQUEST_TIMEOUT, seed, true);
      long leftAt;
      JsonNode last;
      try {
        Thread.sleep(3_000);
        // Through bin/raftkv admin (cli.Main in a child JVM) and the node's POST /admin/groups.
        NodeProcesses.CliRun join = nodes.cli(List.of("admin", "--http", bases.get(1), "join-group", "101", "n1", "n2", "n3"));
        assertEquals(0, join.exitCode(), join::toString);
        JsonNode joined = configIn(join.output());
        assertEquals(5, shards(joined).stream().filter(g -> g == 101).count(), joined::toString);
        Thread.sleep(3_000);

        // n2 is killed and comes back while group 100 hands every shard to 101 and is retired.
        CompletableFuture<Answer> leave = CompletableFuture.supplyAsync(() -> {
          try {
            return call("DELETE", bases.get(0) + "/admin/groups/100", null);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        Thread.sleep(300);
        nodes.kill(PeerId.of("n2"));
        Thread.sleep(3_000);
        assertEquals(bases.get(1), nodes.start(PeerId.of("n2")));
        Answer left = leave.get();
        leftAt = System.nanoTime();
        assertEquals(200, left.status(), left::toString);
        last = left.body();
        assertEquals(List.of(101, 101, 101, 101, 101, 101, 101, 101, 101, 101), shards(last), last::toString);
        assertTrue(!last.get("groups").has("100"), last::toString);
        Thread.sleep(3_000);
      } finally {
        clients.close();
      }
      assertEquals(List.of(), clients.rejected(), "no operation answered with an error that is a bug");
      long acked = clients.writeAcks().size();
      long ackedAfterLeave = clients.writeAcks().stream().filter(t -> t > leftAt).count();
      System.out.println("ShardedNodesProcessTest: " + clients.history().size() + " operations, " + clients.unknown()
          + " unknown, " + acked + " writes acknowledged, " + ackedAfterLeave + " after group 100 was retired");
      assertTrue(ackedAfterLeave > 0, "no write acknowledged once group 101 alone served");
      // Every node routes every key to group 101 now, and they agree.
      for (String base : bases) {
        for (String key : List.of("k0", "k1", "k2", "a0", "a1")) {
          Answer r = call("GET", base + "/kv/" + key, null);
          Answer first = call("GET", bases.get(0) + "/kv/" + key, null);
          assertEquals(first.body(), r.body(), key + " through " + base);
          assertTrue(r.status() == 200 || r.status() == 404, () -> key + ": " + r);
        }
      }
      Linearizability.assertLinearizable(KvModel.strict(), clients.history().history());

      // Typed refusals, configuration unchanged: a gid that left, a retired gid, a shard out of range.
      String base = bases.get(2);
      assertRefused(nodes.cli(List.of("admin", "--http", base, "leave-group", "100")), "UNKNOWN_GROUP");
      assertRefused(nodes.cli(List.of("admin", "--http", base, "join-group", "100", "n1", "n2", "n3")), "retired");
      assertRefused(nodes.cli(List.of("admin", "--http", base, "move-shard", "10", "101")), "out of range");
      NodeProcesses.CliRun after = nodes.cli(List.of("admin", "--http", base, "shards"));
      assertEquals(0, after.exitCode(), after::toString);
      assertEquals(last, configIn(after.output()));
    }
  }

  /** The configuration the CLI printed (its JSON line; the child JVM may log other lines). */
  private static JsonNode configIn(String output) throws Exception {
    for (String line : output.split("\n")) if (line.startsWith("{\"num\"")) return JSON.readTree(line);
    throw new AssertionError("no configuration printed: " + output);
  }

  private static void assertRefused(NodeProcesses.CliRun run, String why) {
    assertEquals(3, run.exitCode(), run::toString);
    assertTrue(run.output().contains(why), () -> why + " not in " + run);
  }
}
