package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import node.NodeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import testkit.SeedExtension;
import testkit.linearizability.HistoryRecorder;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvModel;
import testkit.linearizability.KvOutput;
import testkit.linearizability.Linearizability;

/**
 * The product under fault: three {@code raftkv node} processes (Akka cluster, Artery TCP, LevelDB
 * with fsync), concurrent clients in this JVM over remoting. The leader's process is killed with
 * SIGKILL and restarted while the clients run, then each other replica in turn. The history must
 * be linearizable (strict KV model), and every acknowledged append must be in the final value
 * exactly once.
 */
@ExtendWith(SeedExtension.class)
class KvNodesProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final List<String> APPEND_KEYS = List.of("a0", "a1");
  private static final int CLIENTS = 4;

  private final Map<PeerId, Process> processes = new ConcurrentHashMap<>();
  private final Map<PeerId, String> addresses = new LinkedHashMap<>();
  private Path dir;

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    return cp;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path confFile(PeerId p) throws IOException {
    StringBuilder peers = new StringBuilder();
    addresses.forEach((id, hostPort) -> peers.append("    ").append(id).append(" = \"").append(hostPort).append("\"\n"));
    Path conf = dir.resolve(p.id() + ".conf");
    Files.writeString(conf, "raftkv.node {\n  id = " + p + "\n  group = " + GROUP + "\n  data-dir = \""
        + dir.resolve("data-" + p).toAbsolutePath() + "\"\n  http.port = 0\n  peers {\n" + peers + "  }\n}\n");
    return conf;
  }

  /** Starts {@code bin/raftkv node} for {@code p} (as cli.Main in a child JVM); returns its log file. */
  private Path launch(PeerId p) throws Exception {
    Path log = dir.resolve(p.id() + "-" + System.nanoTime() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process proc = new ProcessBuilder(testkit.nodes.NodeProcesses.smallJvm(java,
        "-cp", classpath(), "cli.Main", "node", "--config", confFile(p).toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.put(p, proc);
    return log;
  }

  /** Waits for the banner the node prints once its replica runs. */
  private void awaitStarted(PeerId p, Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.readString(log).contains("raftkv node " + p)) return;
      if (!processes.get(p).isAlive()) break;
      Thread.sleep(100);
    }
    throw new AssertionError(p + " did not start; see " + log);
  }

  private static Optional<RaftStatus> leader(AkkaKvClient c) throws Exception {
    return c.status().toCompletableFuture().get(10, TimeUnit.SECONDS).stream().filter(RaftStatus::isLeader).findFirst();
  }

  private static PeerId awaitLeader(AkkaKvClient c) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<RaftStatus> l = leader(c);
      if (l.isPresent()) return l.get().id();
      Thread.sleep(200);
    }
    throw new AssertionError("no leader");
  }

  /** One client thread: a sequential stream of operations, each recorded in the history. */
  private static void workload(int id, long seed, AkkaKvClient c, HistoryRecorder<KvInput, KvOutput> h,
      AtomicBoolean stop, Map<String, List<String>> acked) {
    SplittableRandom rnd = new SplittableRandom(seed + id);
    int n = 0;
    while (!stop.get()) {
      int dice = rnd.nextInt(100);
      String appendKey = APPEND_KEYS.get(rnd.nextInt(APPEND_KEYS.size()));
      if (dice < 45) {
        String token = "c" + id + "-" + n++ + ";";
        var call = h.call(id, new KvInput.Append(appendKey, token));
        KvReply r = c.await(c.append(appendKey, token));
        if (r instanceof KvReply.Done) {
          call.returned(KvOutput.DONE);
          acked.get(appendKey).add(token);
        }
      } else if (dice < 70) {
        String key = rnd.nextBoolean() ? appendKey : "r";
        var call = h.call(id, new KvInput.Get(key));
        KvReply r = c.await(c.get(key));
        if (r instanceof KvReply.Value v) call.returned(KvOutput.value(v.value()));
        else if (r instanceof KvReply.NoKey) call.returned(KvOutput.NO_KEY);
      } else if (dice < 85) {
        String value = "v" + id + "-" + n++;
        var call = h.call(id, new KvInput.Put("r", value));
        if (c.await(c.put("r", value)) instanceof KvReply.Done) call.returned(KvOutput.DONE);
      } else {
        String expected = rnd.nextBoolean() ? null : "v" + rnd.nextInt(CLIENTS) + "-" + rnd.nextInt(Math.max(1, n));
        String value = "v" + id + "-" + n++;
        var call = h.call(id, new KvInput.Cas("r", expected, value));
        if (c.await(c.cas("r", expected, value)) instanceof KvReply.CasResult cas) {
          call.returned(KvOutput.CasResult.of(cas.swapped(), cas.previous()));
        }
      }
      // Any other reply (Timeout) leaves the call pending: its effect is unknown.
    }
  }

  @Test
  void linearizableAndNothingAcknowledgedLostWhenTheLeaderIsKilledAndRestarted(long seed) throws Exception {
    dir = Path.of("target", "kv-multi-jvm", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    for (PeerId p : PEERS) addresses.put(p, "127.0.0.1:" + freePort());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "client", ConfigFactory.parseString("""
            akka.actor.provider = remote
            akka.remote.artery.transport = tcp
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            akka.remote.artery.canonical.port = 0
            akka.actor.serialize-messages = off
            akka.loglevel = ERROR
            """).withFallback(ConfigFactory.load()));
    NodeSpec spec = new NodeSpec(GROUP, PEERS.get(0), addresses, dir, true);
    HistoryRecorder<KvInput, KvOutput> history = new HistoryRecorder<>();
    Map<String, List<String>> acked = new HashMap<>();
    for (String k : APPEND_KEYS) acked.put(k, java.util.Collections.synchronizedList(new ArrayList<>()));
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    try (AkkaKvClient c = node.KvNode.clientFor(system, spec,
        new AkkaKvClient.Settings(Duration.ofMillis(1000), Duration.ofSeconds(15)))) {
      Map<PeerId, Path> logs = new HashMap<>();
      for (PeerId p : PEERS) logs.put(p, launch(p));
      for (PeerId p : PEERS) awaitStarted(p, logs.get(p));
      PeerId leader = awaitLeader(c);
      for (int i = 0; i < CLIENTS; i++) {
        int id = i;
        Thread t = new Thread(() -> workload(id, seed, c, history, stop, acked), "kv-client-" + i);
        t.start();
        clients.add(t);
      }
      Thread.sleep(3_000); // let the clients run against a healthy group
      processes.get(leader).destroyForcibly(); // SIGKILL: no shutdown, no journal close
      processes.get(leader).waitFor(30, TimeUnit.SECONDS);
      Thread.sleep(4_000); // a new leader takes over; the clients follow it
      PeerId second = awaitLeader(c);
      awaitStarted(leader, launch(leader)); // recovers from its LevelDB journal and catches up
      Thread.sleep(4_000);
      for (PeerId p : PEERS) { // then kill and restart each other replica in turn (a majority stays up)
        if (p.equals(leader)) continue;
        processes.get(p).destroyForcibly();
        processes.get(p).waitFor(30, TimeUnit.SECONDS);
        Thread.sleep(2_000);
        awaitStarted(p, launch(p));
        Thread.sleep(3_000);
      }
      stop.set(true);
      for (Thread t : clients) t.join(30_000);

      long commit = leader(c).orElseThrow().commitIndex();
      List<RaftStatus> all = null;
      for (int i = 0; i < 100; i++) {
        all = c.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (all.size() == 3 && all.stream().allMatch(s -> s.appliedIndex() >= commit)) break;
        Thread.sleep(200);
      }
      List<RaftStatus> last = all;
      assertTrue(last.size() == 3 && last.stream().allMatch(s -> s.appliedIndex() >= commit),
          () -> "the restarted replica caught up: " + last);
      assertTrue(!second.equals(leader), "a new leader took over from " + leader);

      for (String k : APPEND_KEYS) {
        KvReply r = c.await(c.get(k));
        String value = r instanceof KvReply.Value v ? v.value() : "";
        for (String token : acked.get(k)) {
          int first = value.indexOf(token);
          assertTrue(first >= 0, () -> "acknowledged append " + token + " to " + k + " was lost");
          assertEquals(-1, value.indexOf(token, first + 1), () -> "append " + token + " applied twice");
        }
      }
      int acknowledged = acked.values().stream().mapToInt(List::size).sum();
      assertTrue(acknowledged > 20, () -> "the clients made progress: " + acknowledged + " appends acknowledged");
      System.out.println("KvNodesProcessTest: " + history.size() + " operations, " + acknowledged
          + " acknowledged appends, killed leader " + leader + ", new leader " + second + ", then each other replica in turn");
      Linearizability.assertLinearizable(KvModel.strict(), history.history());
    } finally {
      stop.set(true);
      for (Process p : processes.values()) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
