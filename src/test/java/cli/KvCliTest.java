package cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import kvraft.InMemoryKvClient;
import kvraft.KvReply;
import node.http.HttpApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;

/** {@code kv} exit codes and output, and {@code bench kv}, over the in-memory client and over HTTP. */
class KvCliTest {
  static ActorTestKit testKit;
  static InMemoryKvClient served = new InMemoryKvClient();
  static String url;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding b = HttpApi.start(testKit.system(), served, "127.0.0.1", 0).toCompletableFuture().get();
    url = "http://127.0.0.1:" + b.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  record Run(int code, String out, String err) {}

  static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everyExitCode() {
    InMemoryKvClient c = new InMemoryKvClient();
    KvTarget.Connector conn = () -> c;
    assertEquals(new Run(1, "", "no such key\n"), run(new KvCli(conn), "get", "a"));
    assertEquals(new Run(0, "", ""), run(new KvCli(conn), "put", "a", "hello"));
    assertEquals(new Run(0, "hello\n", ""), run(new KvCli(conn), "get", "a"));
    assertEquals(0, run(new KvCli(conn), "append", "a", "!").code());
    assertEquals("hello!\n", run(new KvCli(conn), "get", "a").out());
    Run failed = run(new KvCli(conn), "cas", "a", "x", "--expected", "nope");
    assertEquals(3, failed.code());
    assertEquals("cas failed: current value is hello!\n", failed.err());
    assertEquals(3, run(new KvCli(conn), "cas", "a", "x", "--absent").code());
    assertEquals(0, run(new KvCli(conn), "cas", "a", "x", "--expected", "hello!").code());
    assertEquals(0, run(new KvCli(conn), "cas", "b", "y", "--absent").code());
    assertEquals(new Run(0, "a\tx\nb\ty\n", ""), run(new KvCli(conn), "scan"));
    Run limited = run(new KvCli(conn), "scan", "--from", "a", "--limit", "1");
    assertEquals("a\tx\n", limited.out());
    assertTrue(limited.err().contains("more keys"));
    assertEquals(0, run(new KvCli(conn), "delete", "a").code());
    assertEquals(1, run(new KvCli(conn), "get", "a").code());
    // usage errors: picocli's own (2) and ours
    assertEquals(2, run(new KvCli(conn), "get").code());
    assertEquals(2, run(new KvCli(conn), "cas", "a", "x").code());
    assertEquals(2, run(new KvCli(conn), "cas", "a", "x", "--absent", "--expected", "y").code());
    assertEquals(2, run(new KvCli(conn), "put", "", "v").code()); // rejected by KvLimits
    c.failNext(KvReply.BUSY, KvReply.TIMEOUT);
    assertEquals(4, run(new KvCli(conn), "get", "b").code());
    Run timeout = run(new KvCli(conn), "put", "b", "z");
    assertEquals(4, timeout.code());
    assertTrue(timeout.err().startsWith("unavailable: timeout"));
    assertEquals(4, run(new KvCli(() -> {
      throw new IllegalStateException("cannot reach the cluster");
    }), "get", "b").code());
    assertTrue(c.closeCount() > 10, "each run closes its client");
  }

  @Test
  void statusPrintsEveryReplica() {
    InMemoryKvClient c = new InMemoryKvClient().withStatus(List.of(
        new RaftStatus(PeerId.of("n1"), RaftRole.LEADER, 2, Optional.of(PeerId.of("n1")), 7, 7, 1, 7)));
    Run r = run(new KvCli(() -> c), "status");
    assertEquals(new Run(0, "n1 LEADER term=2 commit=7 applied=7\n", ""), r);
    Run none = run(new KvCli(InMemoryKvClient::new), "status");
    assertEquals(new Run(4, "", "unavailable: no replica answered\n"), none);
  }

  @Test
  void overHttpWithTheOptionAfterTheSubcommand() {
    assertEquals(0, run(new KvCli(), "put", "--http", url, "h k", "v w").code());
    assertEquals(new Run(0, "v w\n", ""), run(new KvCli(), "--http", url, "get", "h k"));
    assertEquals(1, run(new KvCli(), "get", "--http", url, "missing").code());
    assertEquals(4, run(new KvCli(), "get", "--http", "http://127.0.0.1:1", "--timeout", "PT1S", "x").code());
  }

  @Test
  void benchKvPrintsOneJsonLineAndWritesIt(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("kv.json");
    // The first request of a JVM (client and server classes, JIT) can outlast a short window on a
    // loaded machine; it is not what this test measures.
    assertEquals(0, run(new KvCli(), "--http", url, "put", "warm", "up").code());
    java.io.PrintStream old = System.out;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(buf, true));
    int code;
    try {
      code = run(new BenchKvCommand(), "--http", url, "--clients", "2", "--seconds", "1", "--warmup", "0.5",
          "--reads", "80", "--out", out.toString()).code();
    } finally {
      System.setOut(old);
    }
    assertEquals(0, code);
    String line = buf.toString().trim();
    assertEquals(line, Files.readString(out).trim());
    JsonNode j = new ObjectMapper().readTree(line);
    assertEquals("http", j.get("target").asText());
    assertEquals(2, j.get("clients").asInt());
    assertEquals(80, j.get("reads_pct").asInt());
    assertEquals(0, j.get("errors").asLong());
    assertTrue(j.get("ops_per_s").asLong() > 0, line);
    assertTrue(j.get("get").get("p99_ms").asDouble() >= j.get("get").get("p50_ms").asDouble(), line);
    assertTrue(served.size() > 0);
  }
}
