package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cli.Main;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad input fails clearly: before anything starts for the CLI, with a refusal or a job error for running jobs. */
class BadInputTest {

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void missingInputFileIsRejectedBeforeStarting() throws Exception {
    String book = MrProcesses.books().get(0);
    Run r = cli("mr", "coordinator", "--app", "wc", book, "no-such-book.txt");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("input file not found: no-such-book.txt"), r.err());
    Run seq = cli("mr", "sequential", "--app", "wc", "no-such-book.txt");
    assertEquals(2, seq.code(), seq.err());
    assertTrue(seq.err().contains("input file not found"), seq.err());
  }

  @Test
  void directoryAsInputIsRejected() {
    Run r = cli("mr", "coordinator", "--app", "wc", "src");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("not a readable regular file: src"), r.err());
  }

  @Test
  void unknownAppIsRejectedBeforeStarting() throws Exception {
    Run r = cli("mr", "coordinator", "--app", "nope", MrProcesses.books().get(0));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("unknown app 'nope'"), r.err());
    Run w = cli("mr", "worker", "--app", "nope", "--coordinator", "127.0.0.1:1");
    assertEquals(2, w.code(), w.err());
    assertTrue(w.err().contains("unknown app 'nope'"), w.err());
  }

  @Test
  void zeroReducesIsRejectedBeforeStarting() throws Exception {
    Run r = cli("mr", "coordinator", "--app", "wc", "--reduces", "0", MrProcesses.books().get(0));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("number of reduce tasks must be at least 1, got 0"), r.err());
  }

  @Test
  void workerWithAnotherAppIsRefused() throws Exception {
    try (MrProcesses run = new MrProcesses("mismatch")) {
      Process coordinator = run.coordinator("wc", MrProcesses.books().subList(0, 2));
      Process wrong = run.worker("worker-indexer", "indexer");
      assertEquals(WorkerExit.REFUSED.exitCode(), run.await(wrong), run.tail("worker-indexer"));
      String log = run.log("worker-indexer");
      assertTrue(log.contains("worker runs app 'indexer' but the coordinator runs app 'wc'"), log);
      // The coordinator is unharmed: a matching worker finishes the job.
      Process right = run.worker("worker-wc", "wc");
      assertEquals(0, run.await(coordinator), run.tail("coordinator"));
      assertEquals(0, run.await(right), run.tail("worker-wc"));
    }
  }

  @Test
  void appThatKeepsThrowingFailsTheJobNamingFileAndException() throws Exception {
    try (MrProcesses run = new MrProcesses("failing")) {
      Process coordinator = run.coordinator(FailingApp.class.getName(), MrProcesses.books(), Duration.ofSeconds(45));
      List<Process> workers = List.of(run.worker("worker-1", FailingApp.class.getName()),
          run.worker("worker-2", FailingApp.class.getName()));
      assertEquals(1, run.await(coordinator), run.tail("coordinator"));
      String log = run.log("coordinator");
      assertTrue(log.contains("job failed: map task") && log.contains("pg-grimm.txt") && log.contains("failed 3 times")
          && log.contains("IllegalStateException: cannot read fairy tales"), log);
      // Every worker exits: told the job failed, or (if it joined as the coordinator was leaving)
      // on finding the coordinator gone. At least the one that ran the failing task was told.
      List<Integer> codes = new java.util.ArrayList<>();
      for (Process w : workers) {
        codes.add(run.await(w));
      }
      assertTrue(codes.contains(WorkerExit.JOB_FAILED.exitCode()), "worker exit codes " + codes);
      assertTrue(codes.stream().allMatch(c -> c == WorkerExit.JOB_FAILED.exitCode()
          || c == WorkerExit.COORDINATOR_LOST.exitCode() || c == WorkerExit.NO_COORDINATOR.exitCode()),
          "worker exit codes " + codes);
    }
  }

  @Test
  void workerWhoseHeapIsTooSmallForTheInputFailsTheTaskSayingSoAndTheJobStops() throws Exception {
    try (MrProcesses run = new MrProcesses("small-heap")) {
      // 64 MB of text: reading it alone needs twice a 48 MB heap.
      Path big = run.dir.resolve("big.txt");
      try (java.io.Writer w = Files.newBufferedWriter(big, java.nio.charset.StandardCharsets.UTF_8)) {
        String line = "the quick brown fox jumps over the lazy dog ".repeat(20) + "\n";
        for (long written = 0; written < 64L << 20; written += line.length()) {
          w.write(line);
        }
      }
      Process coordinator = run.coordinator("wc", List.of(big.toString()));
      Process worker = run.workerWithJvm("worker-small", "wc", List.of("-Xmx48m"));
      assertEquals(1, run.await(coordinator), run.tail("coordinator"));
      String log = run.log("coordinator");
      assertTrue(log.contains("job failed: map task 0 (file " + big + ") failed 3 times")
          && log.contains("worker out of memory running map 0 on " + big + " (64.0 MB) with a maximum heap of")
          && log.contains("give the worker more heap (-Xmx)"), log);
      // The worker JVM survived its out-of-memory tasks and was told the job failed.
      assertEquals(WorkerExit.JOB_FAILED.exitCode(), run.await(worker), run.tail("worker-small"));
    }
  }
}
