package cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchVersusEtcdCommandTest {
  @Test
  void withoutEtcdOnThePathItExitsTwoSayingHowToInstallIt() {
    BenchVersusEtcdCommand command = new BenchVersusEtcdCommand();
    command.path = "/nonexistent-dir";
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(command).execute("--seconds", "1");
    } finally {
      System.setErr(err);
    }
    String message = captured.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, message);
    assertTrue(message.contains("etcd and wrk not found on PATH"), message);
    assertTrue(message.contains("apt-get install -y etcd-server wrk"), message);
  }

  @Test
  void parsesConnectionListAndSeconds() {
    BenchVersusEtcdCommand command = new BenchVersusEtcdCommand();
    new CommandLine(command).parseArgs("--connections", "1,4", "--seconds", "2", "--warmup", "0");
    assertEquals(java.util.List.of(1, 4), command.connections);
    assertEquals(2, command.seconds);
    assertEquals(0, command.warmup);
  }
}
