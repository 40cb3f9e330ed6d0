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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import kvraft.KvReply;
import node.http.HttpKvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import testkit.SeedExtension;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvModel;
import testkit.linearizability.KvOutput;
import testkit.linearizability.Linearizability;
import testkit.linearizability.Operation;
import testkit.nodes.HttpKvWorkload;
import testkit.nodes.NodeProcesses;

/**
 * Shard migrations across real processes with kill -9 at the moments that matter (issue 11, "Tests
 * across processes"): five {@code bin/raftkv node} processes (n1..n5; the controller on n1..n3,
 * groups 100, 101, 102 of three replicas each), six HTTP clients writing through n1..n4 all along.
 *
 * <ol>
 *   <li>Shard 4 (holding the clients' key {@code k0} and {@value #PRELOADED} pre-loaded keys of 2,000
 *       bytes) moves to another group, pulled in one-key chunks ({@code pull-chunk-bytes = 2 KiB});
 *       once the new owner holds part of it and the old owner still holds it {@code BEPULLED} (pulled,
 *       not deleted: {@code GET /admin/groups/{gid}/shards}), the node of the old owner's leader is
 *       killed with SIGKILL and restarted from its own conf file and data directory.
 *   <li>Shard 1 (the append key {@code a0} and as many pre-loaded keys) moves to a third group; while
 *       the new owner is installing it (PULLING, some keys in), its leader's node is killed the same way.
 *   <li>A sixth node n6 (pre-listed in every node's {@code nodes}, as after the operator's rolling
 *       restart) is started and n5 is drained ({@code POST /admin/nodes/n5/drain}), then stopped.
 * </ol>
 *
 * Then: the history is linearizable ({@code KvModel.strict()}), every acknowledged append is in its
 * key exactly once (and none of unknown outcome twice), every pre-loaded key reads back with its
 * value, and the garbage-collection bound holds: every replica of every group has applied the latest
 * configuration and holds keys only for the shards its group owns (every other shard ABSENT, 0 keys).
 */
@ExtendWith(SeedExtension.class)
class ShardMigrationKillProcessTest {
  private static final List<PeerId> NODES = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"),
      PeerId.of("n4"), PeerId.of("n5"), PeerId.of("n6"));
  /** Shard 1 is [a0, a1) (a0 and "a0/..."), shard 4 [k0, k1) (k0 and "k0/..."); the clients' keys on shards 1, 2, 4, 5, 6. */
  private static final String EXTRA = """
      raftkv.sharded.key-ranges = [a0, a1, b, k0, k1, k2, m, t, x]
      raftkv.sharded.controller = [n1, n2, n3]
      raftkv.sharded.groups { "100" = [n1, n2, n3], "101" = [n1, n4, n5], "102" = [n2, n3, n5] }
      raftkv.sharded.pull-chunk-bytes = 2 KiB
      """;
  private static final int PRELOADED = 300;
  private static final int SHARD_X = 4;
  private static final int SHARD_Y = 1;
  private static final Duration SETTLE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<PeerId, String> bases = new LinkedHashMap<>();
  /** Nodes killed and not yet serving again: admin requests avoid them. */
  private final Set<PeerId> down = ConcurrentHashMap.newKeySet();

  private JsonNode call(String method, String path) throws Exception {
    Exception last = null;
    for (Map.Entry<PeerId, String> b : bases.entrySet()) {
      if (down.contains(b.getKey())) continue;
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.getValue() + path))
            .timeout(Duration.ofSeconds(150)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() == 200) return body;
        last = new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + body);
      } catch (java.io.IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no node answered " + method + " " + path, last);
  }

  /** GET /admin/groups/{gid}/shards, or null when no node answered it with 200. */
  private JsonNode groupShards(int gid) {
    try {
      return call("GET", "/admin/groups/" + gid + "/shards");
    } catch (Exception e) {
      return null;
    }
  }

  private static String status(JsonNode replica, int shard) {
    JsonNode s = replica.path("shards");
    return s.isMissingNode() ? "NO_ANSWER" : s.get(shard).path("status").asText();
  }

  private static int keys(JsonNode replica, int shard) {
    JsonNode s = replica.path("shards");
    return s.isMissingNode() ? -1 : s.get(shard).path("keys").asInt();
  }

  /** Polls {@code read} every 100 ms until {@code done} holds (deadline {@code within}); the reading that did. */
  private static <T> T await(java.util.function.Supplier<T> read, Predicate<T> done, Duration within, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    T v = null;
    while (System.nanoTime() < deadline) {
      v = read.get();
      if (v != null && done.test(v)) return v;
      Thread.sleep(100);
    }
    throw new AssertionError(what + " not within " + within + "; last seen " + v);
  }

  /** The node a server name is on: g101|n4.1 is on n4. */
  private static PeerId nodeOf(String server) {
    String replica = server.substring(server.indexOf('|') + 1);
    int dot = replica.indexOf('.');
    return PeerId.of(dot < 0 ? replica : replica.substring(0, dot));
  }

  /** The group's leader in one reading, else null. */
  private static String leader(JsonNode group) {
    for (JsonNode r : group.path("replicas")) if (r.path("leader").asBoolean()) return r.path("server").asText();
    return null;
  }

  /** Every replica of the group answered, applied {@code num} and holds {@code shard} as {@code status}. */
  private static boolean everyReplica(JsonNode group, long num, int shard, String status) {
    for (JsonNode r : group.path("replicas")) {
      if (r.path("applied").asLong(-1) < num || !status(r, shard).equals(status)) return false;
      if (status.equals("ABSENT") && keys(r, shard) != 0) return false;
    }
    return group.path("replicas").size() > 0;
  }

  private static String value(int i) {
    return String.format("%04d", i).repeat(500); // 2,000 bytes: one key per 2 KiB chunk
  }

  private void preload(String prefix) throws Exception {
    List<HttpKvClient> clients = new ArrayList<>();
    for (String b : bases.values()) clients.add(new HttpKvClient(URI.create(b), Duration.ofSeconds(15)));
    List<Thread> threads = new ArrayList<>();
    List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    int writers = 8;
    for (int w = 0; w < writers; w++) {
      int first = w;
      Thread t = new Thread(() -> {
        for (int i = first; i < PRELOADED; i += writers) {
          KvReply r = null;
          for (int attempt = 0; attempt < 5 && !(r instanceof KvReply.Done); attempt++) {
            r = clients.get(i % clients.size()).put(prefix + String.format("%04d", i), value(i)).toCompletableFuture().join();
          }
          if (!(r instanceof KvReply.Done)) failed.add(prefix + i + " -> " + r);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join(120_000);
    assertEquals(List.of(), failed, "pre-loading " + prefix);
  }

  /** Each pre-loaded key of {@code prefix}, read back through a scan of its shard, with its value. */
  private void assertPreloaded(String prefix, String base) {
    KvReply r = new HttpKvClient(URI.create(base), Duration.ofSeconds(15)).scan(prefix, prefix + "~", PRELOADED + 10)
        .toCompletableFuture().join();
    assertTrue(r instanceof KvReply.Scanned, () -> prefix + " scan: " + r);
    List<KvReply.Entry> entries = ((KvReply.Scanned) r).entries();
    assertEquals(PRELOADED, entries.size(), prefix + " keys");
    for (int i = 0; i < PRELOADED; i++) {
      assertEquals(prefix + String.format("%04d", i), entries.get(i).key());
      assertEquals(value(i), entries.get(i).value(), entries.get(i).key());
    }
  }

  private record Kill(PeerId node, long atNanos, String seen) {}

  /** One reading of the old and the new owner of a moving shard. */
  private record Both(JsonNode oldOwner, JsonNode newOwner) {}

  /** SIGKILL of {@code node}, then its restart from the same conf file and data directory (in the background). */
  private Thread killAndRestart(NodeProcesses nodes, PeerId node, List<Throwable> errors) throws Exception {
    down.add(node);
    nodes.kill(node);
    Thread restart = new Thread(() -> {
      try {
        assertEquals(bases.get(node), nodes.start(node)); // same HTTP port: the conf file fixes it
        down.remove(node);
      } catch (Throwable t) {
        errors.add(t);
      }
    }, "restart-" + node);
    restart.start();
    return restart;
  }

  /**
   * The restarted (or new) {@code node} is in the cluster of the others: its own {@code GET /admin/nodes}
   * shows every running node up. A restarted first seed node (n1) that got no answer to its join
   * within Akka's seed-node-timeout forms a cluster of its own instead (README, "Tests across
   * processes"); this names that failure rather than letting a later wait time out.
   */
  private void awaitJoined(PeerId node) throws InterruptedException {
    await(() -> {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(bases.get(node) + "/admin/nodes"))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
      } catch (Exception e) {
        return null;
      }
    }, view -> bases.keySet().stream().filter(p -> !down.contains(p))
        .allMatch(p -> view.path("nodes").path(p.id()).path("up").asBoolean()), SETTLE,
        node + " sees every running node " + bases.keySet() + " up (else it formed a cluster of its own)");
  }

  /** Moves {@code shard} to {@code to}; returns the new configuration's number. */
  private long move(int shard, int to) throws Exception {
    JsonNode c = call("POST", "/admin/shards/" + shard + "/move?to=" + to);
    assertEquals(to, c.get("shards").get(shard).asInt(), c::toString);
    return c.get("num").asLong();
  }

  /** After a move to {@code to} in configuration {@code num}: served there on every replica, deleted at {@code from}. */
  private void awaitMoved(int shard, int from, int to, long num) throws InterruptedException {
    await(() -> groupShards(to), g -> everyReplica(g, num, shard, "SERVING"), SETTLE,
        "shard " + shard + " SERVING on every replica of " + to);
    await(() -> groupShards(from), g -> everyReplica(g, num, shard, "ABSENT"), SETTLE,
        "shard " + shard + " deleted (ABSENT, 0 keys) on every replica of " + from);
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void shardsMoveWhileTheOldAndTheNewOwnersLeadersAreKilledAndANodeIsReplacedAndNothingIsLostOrLeftBehind(long seed)
      throws Exception {
    long t0 = System.nanoTime();
    Path dir = Path.of("target", "shard-kill", UUID.randomUUID().toString());
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, String> phases = new LinkedHashMap<>(); // what was done when, for the log
    java.util.function.Consumer<String> phase = what -> phases.put(what, String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
    try (NodeProcesses nodes = new NodeProcesses(GroupId.of("unused"), NODES, dir, "")) {
      ShardedProcessConfs.configure(nodes, NODES, dir, EXTRA,
          i -> ShardedProcessConfs.confFile(0).replace("self = n1", "self = n" + (i + 1)));
      List<PeerId> five = NODES.subList(0, 5);
      nodes.startAll(five);
      for (PeerId p : five) bases.put(p, nodes.awaitHttp(p));
      JsonNode one = await(() -> {
        try {
          return call("GET", "/admin/shards");
        } catch (Exception e) {
          return null;
        }
      }, c -> c.path("groups").size() == 3, SETTLE, "groups 100, 101, 102 joined");
      phase.accept("5 nodes up");
      List<Integer> owners = new ArrayList<>();
      one.get("shards").forEach(g -> owners.add(g.asInt()));
      List<Integer> gids = List.of(100, 101, 102);
      int fromX = owners.get(SHARD_X);
      int toX = gids.stream().filter(g -> g != fromX).findFirst().orElseThrow();
      int fromY = owners.get(SHARD_Y);
      int toY = gids.stream().filter(g -> g != fromY && g != toX).findFirst()
          .orElse(gids.stream().filter(g -> g != fromY).findFirst().orElseThrow());
      preload("k0/");
      preload("a0/");
      phase.accept("preloaded");
      long started = System.nanoTime();

      HttpKvWorkload clients = new HttpKvWorkload(List.copyOf(bases.values()).subList(0, 4), 6, Duration.ofSeconds(15),
          seed, true);
      List<Kill> kills = new ArrayList<>();
      JsonNode drained;
      long drainedAt;
      try {
        // 1. Shard X to toX; kill the old owner's leader once the pull is under way and nothing is deleted.
        long numX = move(SHARD_X, toX);
        Both seen = await(() -> {
          JsonNode oldOwner = groupShards(fromX);
          JsonNode newOwner = groupShards(toX);
          return oldOwner == null || newOwner == null ? null : new Both(oldOwner, newOwner);
        }, b -> {
          boolean pulled = false;
          for (JsonNode r : b.newOwner().path("replicas")) {
            String st = status(r, SHARD_X);
            pulled |= st.equals("GCING") || st.equals("PULLING") && keys(r, SHARD_X) >= PRELOADED / 4;
          }
          String oldLeader = leader(b.oldOwner());
          if (!pulled || oldLeader == null) return false;
          for (JsonNode r : b.oldOwner().path("replicas"))
            if (r.path("server").asText().equals(oldLeader)) return status(r, SHARD_X).equals("BEPULLED");
          return false;
        }, SETTLE, "shard " + SHARD_X + " pulled in part by " + toX + " and still BEPULLED at " + fromX + "'s leader");
        PeerId oldLeaderNode = nodeOf(leader(seen.oldOwner()));
        kills.add(new Kill(oldLeaderNode, System.nanoTime(), "old owner " + seen.oldOwner() + " / new owner " + seen.newOwner()));
        Thread restart1 = killAndRestart(nodes, oldLeaderNode, errors);
        restart1.join(120_000);
        assertEquals(List.of(), errors);
        awaitJoined(oldLeaderNode);
        phase.accept(oldLeaderNode + " back");
        awaitMoved(SHARD_X, fromX, toX, numX);
        phase.accept("shard " + SHARD_X + " moved");

        // 2. Shard Y to toY; kill the new owner's leader while it installs the shard.
        long numY = move(SHARD_Y, toY);
        JsonNode installing = await(() -> groupShards(toY), g -> {
          String l = leader(g);
          for (JsonNode r : g.path("replicas")) {
            if (r.path("server").asText().equals(l)) {
              return status(r, SHARD_Y).equals("PULLING") && keys(r, SHARD_Y) > 0 && keys(r, SHARD_Y) < PRELOADED / 2;
            }
          }
          return false;
        }, SETTLE, "shard " + SHARD_Y + " being installed by " + toY + "'s leader");
        PeerId newLeaderNode = nodeOf(leader(installing));
        kills.add(new Kill(newLeaderNode, System.nanoTime(), "new owner " + installing));
        Thread restart2 = killAndRestart(nodes, newLeaderNode, errors);
        restart2.join(120_000);
        assertEquals(List.of(), errors);
        awaitJoined(newLeaderNode);
        phase.accept(newLeaderNode + " back");
        awaitMoved(SHARD_Y, fromY, toY, numY);
        phase.accept("shard " + SHARD_Y + " moved");

        // 3. n6 joins the cluster (it hosts nothing) and n5 is drained onto the others, then stopped.
        PeerId n5 = PeerId.of("n5");
        PeerId n6 = PeerId.of("n6");
        bases.put(n6, nodes.start(n6));
        awaitJoined(n6);
        phase.accept("n6 up");
        drained = call("POST", "/admin/nodes/n5/drain");
        drainedAt = System.nanoTime();
        phase.accept("n5 drained");
        down.add(n5);
        assertEquals(0, nodes.terminate(n5));
        phase.accept("n5 stopped");
        // Writes go on after the drain: wait for some to be acknowledged, bounded.
        await(() -> clients.writeAcks().stream().filter(t -> t > drainedAt).count(), n -> n >= 20, SETTLE,
            "20 writes acknowledged after the drain");
      } finally {
        clients.close();
      }
      long ackedAfterDrain = clients.writeAcks().stream().filter(t -> t > drainedAt).count();

      assertTrue(drained.path("done").asBoolean(), drained::toString);
      assertEquals(List.of(), listOf(drained.path("left")), drained::toString);
      assertEquals(2, drained.path("moved").size(), drained::toString);
      assertTrue(listOf(drained.path("moved")).stream().anyMatch(m -> m.endsWith("|n6")), "nothing moved to n6: " + drained);
      assertEquals(List.of(), clients.rejected(), "no operation answered with an error that is a bug");
      Linearizability.assertLinearizable(KvModel.strict(), clients.history().history());
      phase.accept("checked linearizable");

      // Exactly once: every acknowledged append is in its key once, none of unknown outcome twice.
      Map<String, String> finals = new HashMap<>();
      HttpKvClient reader = new HttpKvClient(URI.create(bases.get(PeerId.of("n1"))), Duration.ofSeconds(15));
      for (String key : List.of("a0", "a1")) {
        KvReply r = reader.get(key).toCompletableFuture().join();
        finals.put(key, r instanceof KvReply.Value v ? v.value() : "");
      }
      int ackedAppends = 0;
      for (Operation<KvInput, KvOutput> op : clients.history().history()) {
        if (!(op.input() instanceof KvInput.Append a)) continue;
        String[] parts = finals.get(a.key()).split(";", -1);
        long times = java.util.Arrays.stream(parts).filter(p -> (p + ";").equals(a.value())).count();
        if (op.isPending()) {
          assertTrue(times <= 1, a + " of unknown outcome is in " + a.key() + " " + times + " times");
        } else {
          ackedAppends++;
          assertEquals(1, times, a + " acknowledged, in " + a.key() + " " + times + " times");
        }
      }
      assertPreloaded("k0/", bases.get(PeerId.of("n2")));
      assertPreloaded("a0/", bases.get(PeerId.of("n6")));

      // The garbage-collection bound: each replica holds keys only for the shards its group owns.
      JsonNode last = call("GET", "/admin/shards");
      long num = last.get("num").asLong();
      for (int gid : gids) {
        JsonNode g = await(() -> groupShards(gid), x -> {
          for (JsonNode r : x.path("replicas")) if (r.path("applied").asLong(-1) != num) return false;
          return true;
        }, SETTLE, "every replica of " + gid + " at configuration " + num);
        List<Integer> owned = listOf(g.path("owned")).stream().map(Integer::parseInt).toList();
        assertEquals(3, g.path("replicas").size(), g::toString);
        for (JsonNode r : g.path("replicas")) {
          assertTrue(!nodeOf(r.path("server").asText()).equals(PeerId.of("n5")), "a replica left on n5: " + g);
          for (int s = 0; s < 10; s++) {
            if (owned.contains(s)) {
              assertEquals("SERVING", status(r, s), "owned shard " + s + " at " + r);
            } else {
              assertEquals("ABSENT", status(r, s), "shard " + s + " not owned by " + gid + " at " + r);
              assertEquals(0, keys(r, s), "keys of shard " + s + " not owned by " + gid + " at " + r);
            }
          }
        }
      }
      System.out.printf("ShardMigrationKillProcessTest: %d operations, %d unknown, %d writes acknowledged (%d after the"
              + " drain), %d appends acknowledged; shard %d %d -> %d, shard %d %d -> %d; kills %s; drain %s; %.1f s in all,"
              + " %.1f s from the first client%n", clients.history().size(), clients.unknown(), clients.writeAcks().size(),
          ackedAfterDrain, ackedAppends, SHARD_X, fromX, toX, SHARD_Y, fromY, toY,
          kills.stream().map(k -> k.node() + " at " + String.format("%.1f s", (k.atNanos() - t0) / 1e9)).toList(), drained,
          (System.nanoTime() - t0) / 1e9, (System.nanoTime() - started) / 1e9);
      System.out.println("  phases " + phases);
      kills.forEach(k -> System.out.println("  killed " + k.node() + " on seeing " + k.seen()));
    }
  }

  private static List<String> listOf(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
