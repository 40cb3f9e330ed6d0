package cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmarks that need outside tools (etcd, wrk): exit 2 without them, and their options. */
class BenchVersusEtcdCommandTest {
  private record Outcome(int code, String stderr) {}

  private static Outcome execute(Object command, String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(command).execute(args);
      return new Outcome(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void withoutEtcdOnThePathItExitsTwoSayingHowToInstallIt() {
    BenchVersusEtcdCommand command = new BenchVersusEtcdCommand();
    command.run.path = "/nonexistent-dir";
    Outcome o = execute(command, "--seconds", "1");
    assertEquals(2, o.code(), o.stderr());
    assertTrue(o.stderr().contains("etcd and wrk not found on PATH"), o.stderr());
    assertTrue(o.stderr().contains("apt-get install -y etcd-server wrk"), o.stderr());
  }

  @Test
  void parsesConnectionListAndSeconds() {
    BenchVersusEtcdCommand command = new BenchVersusEtcdCommand();
    new CommandLine(command).parseArgs("--connections", "1,4", "--seconds", "2", "--warmup", "0");
    assertEquals(List.of(1, 4), command.connections);
    assertEquals(2, command.seconds);
    assertEquals(0, command.warmup);
  }

  @Test
  void coldStartWithoutWrkOnThePathExitsTwoSayingHowToInstallIt() {
    BenchColdStartCommand command = new BenchColdStartCommand();
    command.run.path = "/nonexistent-dir";
    Outcome o = execute(command, "--seconds", "1");
    assertEquals(2, o.code(), o.stderr());
    assertTrue(o.stderr().contains("wrk not found on PATH"), o.stderr());
    assertTrue(o.stderr().contains("apt-get install -y wrk"), o.stderr());
  }

  @Test
  void coldStartParsesVariantsAfterTheShippedOne() {
    BenchColdStartCommand command = new BenchColdStartCommand();
    new CommandLine(command).parseArgs("--variant", "c1=-XX:TieredStopAtLevel=1", "--variant", "big=-Xmx2g -Xms2g",
        "--connections", "16", "--seed", "3");
    assertEquals(List.of("c1=-XX:TieredStopAtLevel=1", "big=-Xmx2g -Xms2g"), command.variants);
    assertEquals(16, command.connections);
    assertEquals(3, command.run.seed);
  }
}
