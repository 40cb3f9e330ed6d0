package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kvraft.AkkaKvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;

/**
 * Three real {@code raftkv node} processes; the leader's is sent SIGTERM while a client writes.
 * It must run CoordinatedShutdown (unbind HTTP, drain, leave the cluster) and exit 0 within a
 * bound, and every write acknowledged before, during or after it must be served by the other two.
 * Also: /readyz of a running node turns 200 once it knows the leader.
 */
class GracefulShutdownProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final Pattern HTTP = Pattern.compile("http:\\s+http://127\\.0\\.0\\.1:(\\d+)");

  private final Map<PeerId, Process> processes = new ConcurrentHashMap<>();
  private final Map<PeerId, String> addresses = new LinkedHashMap<>();
  private Path dir;

  @AfterEach
  void killAll() {
    processes.values().forEach(Process::destroyForcibly);
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path launch(PeerId p) throws Exception {
    StringBuilder peers = new StringBuilder();
    addresses.forEach((id, hostPort) -> peers.append("    ").append(id).append(" = \"").append(hostPort).append("\"\n"));
    Path conf = dir.resolve(p.id() + ".conf");
    Files.writeString(conf, "raftkv.node {\n  id = " + p + "\n  group = " + GROUP + "\n  data-dir = \""
        + dir.resolve("data-" + p).toAbsolutePath() + "\"\n  http.port = 0\n  peers {\n" + peers + "  }\n}\n");
    Path log = dir.resolve(p.id() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    processes.put(p, new ProcessBuilder(testkit.nodes.NodeProcesses.smallJvm(java,
        "-cp", classpath(), "cli.Main", "node", "--config", conf.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    return log;
  }

  /** The HTTP port the node printed once it serves. */
  private int awaitHttp(PeerId p, Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      Matcher m = HTTP.matcher(Files.readString(log));
      if (m.find()) return Integer.parseInt(m.group(1));
      if (!processes.get(p).isAlive()) break;
      Thread.sleep(100);
    }
    throw new AssertionError(p + " did not start; see " + log + ":\n" + Files.readString(log));
  }

  private static PeerId awaitLeader(AkkaKvClient c, Optional<PeerId> not) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<PeerId> l = c.status().toCompletableFuture().get(20, TimeUnit.SECONDS).stream()
          .filter(RaftStatus::isLeader).map(RaftStatus::id).filter(id -> !Optional.of(id).equals(not)).findFirst();
      if (l.isPresent()) return l.get();
      Thread.sleep(200);
    }
    throw new AssertionError("no leader");
  }

  private static int get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void sigtermOnTheLeaderExitsZeroAndLosesNoAcknowledgedWrite() throws Exception {
    dir = Path.of("target", "kv-shutdown", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    for (PeerId p : PEERS) addresses.put(p, "127.0.0.1:" + freePort());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "client", ConfigFactory.parseString("""
            akka.actor.provider = remote
            akka.remote.artery.transport = tcp
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            akka.remote.artery.canonical.port = 0
            akka.loglevel = ERROR
            """).withFallback(ConfigFactory.load()));
    HttpClient http = HttpClient.newHttpClient();
    Map<String, String> acked = new ConcurrentHashMap<>();
    NodeSpec spec = new NodeSpec(GROUP, PEERS.get(0), addresses, dir, true);
    try (AkkaKvClient c = KvNode.clientFor(system, spec,
        new AkkaKvClient.Settings(Duration.ofMillis(1000), Duration.ofSeconds(20)))) {
      Map<PeerId, Path> logs = new LinkedHashMap<>();
      for (PeerId p : PEERS) logs.put(p, launch(p));
      Map<PeerId, Integer> ports = new LinkedHashMap<>();
      for (PeerId p : PEERS) ports.put(p, awaitHttp(p, logs.get(p)));
      PeerId leader = awaitLeader(c, Optional.empty());
      int readyz = 503;
      for (long end = System.currentTimeMillis() + 30_000; readyz != 200 && System.currentTimeMillis() < end; ) {
        readyz = get(http, ports.get(leader), "readyz");
        if (readyz != 200) Thread.sleep(200);
      }
      assertEquals(200, readyz, "the leader's node never became ready");
      assertEquals(200, get(http, ports.get(leader), "livez"));

      AtomicBoolean stop = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = "k" + i;
          String value = "v" + i;
          try {
            if (c.await(c.put(key, value)) instanceof KvReply.Done) acked.put(key, value);
          } catch (IllegalStateException noReply) {
            // not acknowledged: may or may not be applied, so nothing is expected of it
          }
        }
      }, "writer");
      writer.start();
      Thread.sleep(2_000);
      long t0 = System.nanoTime();
      processes.get(leader).destroy(); // SIGTERM
      assertTrue(processes.get(leader).waitFor(60, TimeUnit.SECONDS), leader + " did not exit within 60 s after SIGTERM");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String log = Files.readString(logs.get(leader));
      // 0, not 143: the handler ran CoordinatedShutdown and main returned (the JVM's default is 128 + 15)
      assertEquals(0, processes.get(leader).exitValue(), "exit code after SIGTERM; log:\n" + log);
      assertTrue(ms < 30_000, "SIGTERM to exit took " + ms + " ms");
      System.out.println("SIGTERM to exit: " + ms + " ms");
      PeerId next = awaitLeader(c, Optional.of(leader));
      Thread.sleep(2_000); // writes go on against the new leader
      stop.set(true);
      writer.join(60_000);
      assertTrue(acked.size() > 10, "too few writes acknowledged: " + acked.size());
      for (Map.Entry<String, String> e : acked.entrySet()) {
        KvReply r = c.await(c.get(e.getKey()));
        assertEquals(new KvReply.Value(e.getValue()), r, e.getKey() + " (leader now " + next + ")");
      }
      System.out.println("acknowledged writes checked: " + acked.size());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
