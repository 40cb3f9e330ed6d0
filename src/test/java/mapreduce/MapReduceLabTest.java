package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The seven cases of the lab's test-mr.sh (docs/lab-scenarios.md §7.3), with real coordinator and
 * worker processes, the script's worker counts, timeouts and assertions. Each case runs in its own
 * directory under target/mr-test/ and leaves its logs there.
 */
class MapReduceLabTest {

  @Test
  void wc() throws Exception {
    try (MrProcesses run = new MrProcesses("wc")) {
      List<String> books = MrProcesses.books();
      List<String> expected = run.reference("wc", books);
      Process coordinator = run.coordinator("wc", books);
      MrProcesses.sleep(1000);
      List<Process> workers = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        workers.add(run.worker("worker-" + i, "wc"));
      }
      // Like the script: wait only for the coordinator, so the job must be complete when it exits.
      assertEquals(0, run.await(coordinator), "coordinator exit code; log:\n" + run.tail("coordinator"));
      run.assertSameOutput(expected, run.sortedOutput(), "wc");
      for (Process w : workers) {
        run.await(w);
      }
    }
  }

  @Test
  void indexer() throws Exception {
    try (MrProcesses run = new MrProcesses("indexer")) {
      List<String> books = MrProcesses.books();
      List<String> expected = run.reference("indexer", books);
      Process coordinator = run.coordinator("indexer", books);
      MrProcesses.sleep(1000);
      Process background = run.worker("worker-1", "indexer");
      Process foreground = run.worker("worker-2", "indexer");
      assertEquals(0, run.await(foreground), "foreground worker; log:\n" + run.tail("worker-2"));
      run.assertSameOutput(expected, run.sortedOutput(), "indexer");
      run.await(background);
      run.await(coordinator);
    }
  }

  @Test
  void mapParallelism() throws Exception {
    try (MrProcesses run = new MrProcesses("mtiming")) {
      Process coordinator = run.coordinator("mtiming", MrProcesses.books());
      Process w1 = run.worker("worker-1", "mtiming");
      Process w2 = run.worker("worker-2", "mtiming");
      assertEquals(0, run.await(coordinator), "coordinator; log:\n" + run.tail("coordinator"));
      run.await(w1);
      run.await(w2);
      List<String> out = run.sortedOutput();
      long workers = out.stream().filter(l -> l.startsWith("times-")).count();
      assertEquals(2, workers, "saw " + workers + " workers rather than 2: " + out);
      assertTrue(out.stream().anyMatch(l -> l.matches("^parallel.* 2.*")),
          "map workers did not run in parallel: " + out);
    }
  }

  @Test
  void reduceParallelism() throws Exception {
    try (MrProcesses run = new MrProcesses("rtiming")) {
      Process coordinator = run.coordinator("rtiming", MrProcesses.books());
      Process w1 = run.worker("worker-1", "rtiming");
      Process w2 = run.worker("worker-2", "rtiming");
      assertEquals(0, run.await(coordinator), "coordinator; log:\n" + run.tail("coordinator"));
      run.await(w1);
      run.await(w2);
      List<String> out = run.sortedOutput();
      long parallel = out.stream().filter(l -> l.matches("^[a-z] 2.*")).count();
      assertTrue(parallel >= 2, "too few parallel reduces (" + parallel + "): " + out);
    }
  }

  @Test
  void jobCount() throws Exception {
    try (MrProcesses run = new MrProcesses("jobcount")) {
      Process coordinator = run.coordinator("jobcount", MrProcesses.books());
      MrProcesses.sleep(1000);
      Process w1 = run.worker("worker-1", "jobcount");
      run.await(run.worker("worker-2", "jobcount"));
      // Started after w2 exited, i.e. once the job is over (a worker exits only when told so or when
      // the coordinator is gone): they must simply exit, without running a map. A 5 s join timeout
      // instead of the default 15 s keeps the test short; it changes nothing else.
      Process w3 = run.worker("worker-3", "jobcount", MrProcesses.TIMEOUT, "--join-timeout", "5s");
      run.await(run.worker("worker-4", "jobcount", MrProcesses.TIMEOUT, "--join-timeout", "5s"));
      run.await(w3);
      run.await(w1);
      run.await(coordinator);
      List<String> counts = run.sortedOutput().stream().map(l -> l.split(" ")[1]).collect(Collectors.toList());
      assertEquals(List.of("8"), counts, "map jobs ran the wrong number of times; coordinator log:\n"
          + run.tail("coordinator"));
    }
  }

  @Test
  void earlyExit() throws Exception {
    try (MrProcesses run = new MrProcesses("early_exit")) {
      List<Process> procs = new ArrayList<>();
      procs.add(run.coordinator("early_exit", MrProcesses.books()));
      for (int i = 1; i <= 3; i++) {
        procs.add(run.worker("worker-" + i, "early_exit"));
      }
      // The script's `wait -n`: the moment the first process exits, the output must be final.
      long deadline = System.nanoTime() + MrProcesses.TIMEOUT.toNanos();
      while (procs.stream().allMatch(Process::isAlive)) {
        assertTrue(System.nanoTime() < deadline, "no process exited within " + MrProcesses.TIMEOUT);
        MrProcesses.sleep(20);
      }
      List<String> atFirstExit = run.sortedOutput();
      for (Process p : procs) {
        run.await(p);
      }
      List<String> atEnd = run.sortedOutput();
      assertFalse(atEnd.isEmpty(), "no output at all");
      assertEquals(atEnd, atFirstExit, "output changed after the first process exited");
      assertEquals(8, atEnd.size(), "one line per book expected: " + atEnd);
    }
  }

  @Test
  void crash() throws Exception {
    Duration timeout = Duration.ofSeconds(120);
    try (MrProcesses run = new MrProcesses("crash")) {
      List<String> books = MrProcesses.books();
      List<String> expected = run.reference("nocrash", books);
      Process coordinator = run.coordinator("crash", books, timeout);
      MrProcesses.sleep(1000);
      AtomicInteger started = new AtomicInteger();
      run.worker("worker-" + started.incrementAndGet(), "crash", timeout);
      // Three restart loops, as in the script: while the coordinator runs, start a crash worker,
      // wait for it, sleep 1 s. Only workers are restarted, never the coordinator.
      List<Thread> loops = new ArrayList<>();
      for (int l = 0; l < 3; l++) {
        Thread t = new Thread(() -> {
          try {
            while (coordinator.isAlive()) {
              Process w = run.worker("worker-" + started.incrementAndGet(), "crash", timeout);
              run.awaitQuietly(w);
              MrProcesses.sleep(1000);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, "crash-loop-" + l);
        t.setDaemon(true);
        t.start();
        loops.add(t);
      }
      assertEquals(0, run.await(coordinator), "coordinator; log:\n" + run.tail("coordinator"));
      for (Thread t : loops) {
        t.join(timeout.toMillis());
      }
      System.out.println("crash test: " + started.get() + " worker processes started; coordinator summary: "
          + run.tail("coordinator").lines().filter(l -> l.startsWith("job ")).findFirst().orElse("?"));
      assertTrue(Files.exists(run.dir.resolve("mr-out-0")));
      run.assertSameOutput(expected, run.sortedOutput(), "crash");
    }
  }
}
