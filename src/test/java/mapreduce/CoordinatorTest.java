package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The coordinator actor in one JVM (no cluster): probes play the workers, {@link ManualTime} moves
 * the tick timer, and every message is serialized (application-test.conf).
 */
class CoordinatorTest {
  private static ActorTestKit testKit;
  private static ManualTime manualTime;

  private static final MapReduceSettings SETTINGS = new MapReduceSettings(Duration.ofMillis(100), 3, 3,
      Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ZERO);

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
    manualTime = ManualTime.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static final class Listener implements CoordinatorListener {
    final LinkedBlockingQueue<JobProgress> finished = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<JobProgress> progress = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Duration> noWorkers = new LinkedBlockingQueue<>();

    @Override
    public void progress(JobProgress p) {
      progress.add(p);
    }

    @Override
    public void noWorkers(JobProgress p, Duration idle) {
      noWorkers.add(idle);
    }

    @Override
    public void finished(JobProgress progress) {
      finished.add(progress);
    }

    JobProgress awaitFinished() throws InterruptedException {
      JobProgress p = finished.poll(5, TimeUnit.SECONDS);
      assertTrue(p != null, "job did not finish");
      return p;
    }
  }

  private static ActorRef<Coordinator.Command> coordinator(List<String> files, int nReduce, Listener listener) {
    return testKit.spawn(Coordinator.create(new JobSpec("wc", files, nReduce), SETTINGS, listener));
  }

  @Test
  void refusesAWorkerRunningAnotherApp() {
    ActorRef<Coordinator.Command> c = coordinator(List.of("a"), 1, new Listener());
    TestProbe<Worker.Command> w = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("indexer", w.getRef()));
    Worker.Refused refused = w.expectMessageClass(Worker.Refused.class);
    assertTrue(refused.reason().contains("'indexer'") && refused.reason().contains("'wc'"), refused.reason());
  }

  @Test
  void handsOutMapsThenReducesAndTellsEveryWorkerWhenDone() throws Exception {
    Listener listener = new Listener();
    ActorRef<Coordinator.Command> c = coordinator(List.of("a", "b"), 1, listener);
    TestProbe<Worker.Command> w1 = testKit.createTestProbe();
    TestProbe<Worker.Command> w2 = testKit.createTestProbe();
    TestProbe<Worker.Command> w3 = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("wc", w1.getRef()));
    w1.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    c.tell(new Coordinator.RequestTask("wc", w2.getRef()));
    w2.expectMessage(new Worker.MapTask(TaskId.map(1), "b", 1));
    c.tell(new Coordinator.RequestTask("wc", w3.getRef()));
    c.tell(new Coordinator.ReportDone(TaskId.map(0), w1.getRef()));
    w3.expectNoMessage(Duration.ofMillis(100));
    w1.expectNoMessage(Duration.ofMillis(10));
    c.tell(new Coordinator.ReportDone(TaskId.map(1), w2.getRef()));
    // The worker parked longest gets the only reduce task, as soon as the last map is done.
    w3.expectMessage(new Worker.ReduceTask(TaskId.reduce(0), 2));
    c.tell(new Coordinator.ReportDone(TaskId.reduce(0), w3.getRef()));
    Worker.JobFinished done = new Worker.JobFinished(true, "job done");
    w1.expectMessage(done);
    w2.expectMessage(done);
    w3.expectMessage(done);
    JobProgress p = listener.awaitFinished();
    assertEquals(JobState.Phase.DONE, p.phase());
    assertEquals(3, p.workersAlive());
    // A late duplicate report after the end is answered, not counted.
    c.tell(new Coordinator.ReportDone(TaskId.map(0), w1.getRef()));
    w1.expectMessage(done);
  }

  @Test
  void reissuesATaskAfterTimeoutTicks() {
    ActorRef<Coordinator.Command> c = coordinator(List.of("a"), 1, new Listener());
    TestProbe<Worker.Command> slow = testKit.createTestProbe();
    TestProbe<Worker.Command> other = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("wc", slow.getRef()));
    slow.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    c.tell(new Coordinator.RequestTask("wc", other.getRef()));
    manualTime.expectNoMessageFor(Duration.ofMillis(250), other);
    manualTime.timePasses(Duration.ofMillis(100));
    other.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    // The slow worker finishing afterwards is harmless: the map is done, the job moves on.
    c.tell(new Coordinator.ReportDone(TaskId.map(0), slow.getRef()));
    slow.expectMessage(new Worker.ReduceTask(TaskId.reduce(0), 1));
  }

  @Test
  void reissuesAtOnceWhenAWorkerStops() {
    ActorRef<Coordinator.Command> c = coordinator(List.of("a"), 1, new Listener());
    TestProbe<Worker.Command> doomed = testKit.createTestProbe();
    TestProbe<Worker.Command> other = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("wc", doomed.getRef()));
    doomed.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    c.tell(new Coordinator.RequestTask("wc", other.getRef()));
    other.expectNoMessage(Duration.ofMillis(50));
    doomed.stop();
    other.expectMessage(Duration.ofSeconds(3), new Worker.MapTask(TaskId.map(0), "a", 1));
  }

  @Test
  void saysSoOncePerReissueTimeoutWhileNoWorkerIsLeft() throws Exception {
    Listener listener = new Listener();
    ActorRef<Coordinator.Command> c = coordinator(List.of("a"), 1, listener);
    TestProbe<Worker.Command> doomed = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("wc", doomed.getRef()));
    doomed.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    doomed.stop();
    boolean counted = false;
    while (true) { // the worker counted, then lost
      JobProgress p = listener.progress.poll(5, TimeUnit.SECONDS);
      assertTrue(p != null, "the coordinator never reported losing its only worker");
      counted |= p.workersAlive() == 1;
      if (counted && p.workersAlive() == 0) break;
    }
    manualTime.timePasses(Duration.ofMillis(200));
    assertEquals(null, listener.noWorkers.poll(100, TimeUnit.MILLISECONDS), "warned before a re-issue timeout passed");
    manualTime.timePasses(Duration.ofMillis(100));
    assertEquals(Duration.ofMillis(300), listener.noWorkers.poll(5, TimeUnit.SECONDS));
    manualTime.timePasses(Duration.ofMillis(300));
    assertEquals(Duration.ofMillis(600), listener.noWorkers.poll(5, TimeUnit.SECONDS));
    // A worker arriving ends the warnings and gets the job's task.
    TestProbe<Worker.Command> fresh = testKit.createTestProbe();
    c.tell(new Coordinator.RequestTask("wc", fresh.getRef()));
    fresh.expectMessage(new Worker.MapTask(TaskId.map(0), "a", 1));
    manualTime.timePasses(Duration.ofMillis(300));
    assertEquals(null, listener.noWorkers.poll(200, TimeUnit.MILLISECONDS), "warned with a worker connected");
  }

  @Test
  void failsTheJobAfterThreeFailuresRetryingOnAnotherWorker() throws Exception {
    Listener listener = new Listener();
    ActorRef<Coordinator.Command> c = coordinator(List.of("bad.txt", "good.txt"), 1, listener);
    TestProbe<Worker.Command> w1 = testKit.createTestProbe();
    TestProbe<Worker.Command> w2 = testKit.createTestProbe();
    Worker.MapTask bad = new Worker.MapTask(TaskId.map(0), "bad.txt", 1);
    c.tell(new Coordinator.RequestTask("wc", w1.getRef()));
    w1.expectMessage(bad);
    c.tell(new Coordinator.RequestTask("wc", w2.getRef()));
    w2.expectMessage(new Worker.MapTask(TaskId.map(1), "good.txt", 1));
    c.tell(new Coordinator.ReportFailed(TaskId.map(0), "java.lang.IllegalStateException: boom", w1.getRef()));
    // Nothing else idle, so w1 retries it; when w2 asks next, a failed task goes to w2 first.
    w1.expectMessage(bad);
    c.tell(new Coordinator.ReportDone(TaskId.map(1), w2.getRef()));
    w2.expectNoMessage(Duration.ofMillis(50));
    c.tell(new Coordinator.ReportFailed(TaskId.map(0), "java.lang.IllegalStateException: boom", w1.getRef()));
    w2.expectMessage(bad);
    c.tell(new Coordinator.ReportFailed(TaskId.map(0), "java.lang.IllegalStateException: boom", w2.getRef()));
    Worker.JobFinished failed = w1.expectMessageClass(Worker.JobFinished.class);
    assertFalse(failed.succeeded());
    assertTrue(failed.message().contains("bad.txt") && failed.message().contains("failed 3 times")
        && failed.message().contains("IllegalStateException: boom"), failed.message());
    assertEquals(failed, w2.expectMessageClass(Worker.JobFinished.class));
    JobProgress p = listener.awaitFinished();
    assertEquals(JobState.Phase.FAILED, p.phase());
    assertEquals(failed.message(), p.failure().orElseThrow());
  }
}
