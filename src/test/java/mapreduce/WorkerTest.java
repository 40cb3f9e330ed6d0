package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import bench.MrBench;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coordinator and real worker actors in one JVM (no cluster, every message serialized): a whole
 * job with prefetching workers, and a combiner that throws handled like a failing map. One
 * ActorSystem per test, so each worker finds its own test's coordinator.
 */
class WorkerTest {
  @TempDir Path dir;
  private ActorTestKit testKit;

  private static final MapReduceSettings SETTINGS = new MapReduceSettings(Duration.ofMillis(100), 100, 3,
      Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(500));

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ConfigFactory.load("application-test"));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private static final class Listener implements CoordinatorListener {
    final LinkedBlockingQueue<JobProgress> finished = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<JobTimeline> stopped = new LinkedBlockingQueue<>();

    @Override
    public void progress(JobProgress progress) {}

    @Override
    public void finished(JobProgress progress) {
      finished.add(progress);
    }

    @Override
    public void stopped(JobTimeline timeline) {
      stopped.add(timeline);
    }
  }

  private List<String> inputs(int n) throws Exception {
    List<String> files = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      Files.writeString(dir.resolve("in-" + i + ".txt"), "the cat in the hat " + i + " sat on the mat", StandardCharsets.UTF_8);
      files.add("in-" + i + ".txt");
    }
    return files;
  }

  @Test
  void twoPrefetchingWorkersFinishAJobAndTheCoordinatorStopsWhenBothSignedOff() throws Exception {
    List<String> files = inputs(30);
    Listener listener = new Listener();
    testKit.spawn(Coordinator.create(new JobSpec("wc", files, 3), SETTINGS, listener));
    LinkedBlockingQueue<WorkerExit> exits = new LinkedBlockingQueue<>();
    for (int i = 0; i < 2; i++) {
      testKit.spawn(Worker.create(MapReduceApps.load("wc"), dir, SETTINGS, exits::add));
    }
    JobProgress p = listener.finished.poll(20, TimeUnit.SECONDS);
    assertTrue(p != null && p.failure().isEmpty(), String.valueOf(p));
    assertEquals(WorkerExit.JOB_DONE, exits.poll(5, TimeUnit.SECONDS));
    assertEquals(WorkerExit.JOB_DONE, exits.poll(5, TimeUnit.SECONDS));
    JobTimeline t = listener.stopped.poll(5, TimeUnit.SECONDS);
    assertTrue(t != null, "coordinator did not stop");
    // Both workers signed off, so the coordinator did not wait out its 1 s linger.
    assertTrue(t.stoppedAt() - t.doneAt() < 900, t.describe());
    assertEquals(2, t.workerJoinedAt().size(), t.describe());
    assertTrue(t.startedAt() <= t.firstJoinAt() && t.firstJoinAt() <= t.mapsDoneAt() && t.mapsDoneAt() <= t.doneAt(),
        t.describe());
    Path seq = Files.createDirectories(dir.resolve("seq"));
    Sequential.run(MapReduceApps.load("wc"), files, dir, seq.resolve("mr-out-0"));
    assertEquals(MrBench.sortedLines(seq), MrBench.sortedLines(dir));
  }

  @Test
  void aCombinerThatThrowsIsRetriedThenFailsTheJobNamingTheFileAndTheException() throws Exception {
    List<String> files = inputs(1);
    Listener listener = new Listener();
    String app = TaskRunnerTest.ThrowingCombiner.class.getName();
    testKit.spawn(Coordinator.create(new JobSpec(app, files, 2), SETTINGS, listener));
    LinkedBlockingQueue<WorkerExit> exits = new LinkedBlockingQueue<>();
    testKit.spawn(Worker.create(MapReduceApps.load(app), dir, SETTINGS, exits::add));
    JobProgress p = listener.finished.poll(20, TimeUnit.SECONDS);
    assertTrue(p != null, "job did not finish");
    String failure = p.failure().orElseThrow();
    assertTrue(failure.contains("map task 0 (file in-0.txt) failed 3 times")
        && failure.contains("IllegalArgumentException: combiner cannot count hats"), failure);
    assertEquals(WorkerExit.JOB_FAILED, exits.poll(5, TimeUnit.SECONDS));
  }
}
