package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The coordinator's job logic without actors: hand-outs, ticks, duplicates, lost workers, failures. */
class JobStateTest {
  private static final List<String> FILES = List.of("a.txt", "b.txt");

  private static JobState start() {
    return JobState.start(FILES, 3, 10, 3);
  }

  /** Hands a task to {@code worker} and returns the new state, asserting which task it got. */
  private static JobState give(JobState s, String worker, TaskId expected) {
    JobState.Handout h = s.handOut(worker);
    assertEquals(Optional.of(expected), h.assignment().map(JobState.Assignment::task), "task handed to " + worker);
    return h.state();
  }

  private static JobState tick(JobState s, int n) {
    for (int i = 0; i < n; i++) {
      s = s.updated(JobEvent.Ticked.INSTANCE);
    }
    return s;
  }

  private static JobState done(JobState s, TaskId t, String worker) {
    return s.updated(new JobEvent.TaskCompleted(t, worker));
  }

  @Test
  void mapsFirstOnePerFileThenReducesOnlyAfterEveryMap() {
    JobState s = start();
    JobState.Handout h = s.handOut("w1");
    assertEquals(new JobState.Assignment(TaskId.map(0), "a.txt", 2, 3), h.assignment().get());
    s = give(h.state(), "w2", TaskId.map(1));
    assertTrue(s.handOut("w3").assignment().isEmpty(), "no reduce while maps run");
    s = done(s, TaskId.map(0), "w1");
    assertTrue(s.handOut("w1").assignment().isEmpty(), "still no reduce: map 1 is running");
    assertEquals(JobState.Phase.MAP, s.phase());
    s = done(s, TaskId.map(1), "w2");
    assertEquals(JobState.Phase.REDUCE, s.phase());
    JobState.Handout r = s.handOut("w1");
    assertEquals(new JobState.Assignment(TaskId.reduce(0), "", 2, 3), r.assignment().get());
    s = give(r.state(), "w2", TaskId.reduce(1));
    s = give(s, "w3", TaskId.reduce(2));
    s = done(done(done(s, TaskId.reduce(0), "w1"), TaskId.reduce(1), "w2"), TaskId.reduce(2), "w3");
    assertEquals(JobState.Phase.DONE, s.phase());
    assertTrue(s.isFinished());
    assertTrue(s.handOut("w1").assignment().isEmpty());
    assertEquals(0, s.reissued());
  }

  @Test
  void taskInProgressIsReissuedAfterTimeoutTicksNotBefore() {
    JobState s = give(give(start(), "w1", TaskId.map(0)), "w2", TaskId.map(1));
    s = done(s, TaskId.map(1), "w2");
    s = tick(s, 9);
    assertTrue(s.handOut("w2").assignment().isEmpty(), "9 ticks: map 0 still belongs to w1");
    s = tick(s, 1);
    assertEquals(JobState.Status.IDLE, s.task(TaskId.map(0)).status());
    s = give(s, "w2", TaskId.map(0));
    assertEquals(1, s.reissued());
    assertEquals("w2", s.task(TaskId.map(0)).worker());
    assertEquals(List.of(), s.tasksOf("w1"));
  }

  @Test
  void timeoutCountsFromTheHandoutNotFromTheStart() {
    JobState s = tick(start(), 25);
    s = give(s, "w1", TaskId.map(0));
    s = tick(s, 9);
    assertEquals(JobState.Status.IN_PROGRESS, s.task(TaskId.map(0)).status());
    assertEquals(JobState.Status.IDLE, tick(s, 1).task(TaskId.map(0)).status());
  }

  @Test
  void duplicateCompletionIsHarmless() {
    JobState s = give(give(start(), "w1", TaskId.map(0)), "w2", TaskId.map(1));
    s = tick(s, 10);
    s = give(s, "w3", TaskId.map(0));
    s = done(s, TaskId.map(0), "w3");
    JobState before = s;
    s = done(s, TaskId.map(0), "w1");
    assertEquals(before.maps(), s.maps());
    assertEquals(1, s.duplicateCompletions());
    assertEquals(1, s.mapsDone());
  }

  @Test
  void lateCompletionByTheFirstWorkerCountsEvenAfterReissue() {
    JobState s = give(give(start(), "w1", TaskId.map(0)), "w2", TaskId.map(1));
    s = tick(s, 10);
    s = give(s, "w3", TaskId.map(0));
    s = done(s, TaskId.map(0), "w1");
    assertEquals(JobState.Status.DONE, s.task(TaskId.map(0)).status());
    s = done(s, TaskId.map(0), "w3");
    assertEquals(1, s.duplicateCompletions());
  }

  @Test
  void lostWorkersTasksAreIdleAtOnce() {
    JobState s = give(give(start(), "w1", TaskId.map(0)), "w2", TaskId.map(1));
    s = s.updated(new JobEvent.WorkerLost("w1"));
    assertEquals(JobState.Status.IDLE, s.task(TaskId.map(0)).status());
    assertEquals(JobState.Status.IN_PROGRESS, s.task(TaskId.map(1)).status());
    s = give(s, "w3", TaskId.map(0));
    assertEquals(1, s.reissued());
    assertEquals(s, s.updated(new JobEvent.WorkerLost("nobody")));
  }

  @Test
  void failedTaskGoesToAnotherWorkerFirst() {
    JobState s = give(start(), "w1", TaskId.map(0));
    s = s.updated(new JobEvent.TaskFailed(TaskId.map(0), "w1", "java.lang.IllegalStateException: boom"));
    // w1 failed map 0, so it gets map 1 while map 0 waits for someone else.
    s = give(s, "w1", TaskId.map(1));
    s = give(s, "w2", TaskId.map(0));
    assertEquals(1, s.task(TaskId.map(0)).failures());
  }

  @Test
  void workerThatFailedATaskStillGetsItWhenNothingElseIsIdle() {
    JobState s = give(give(start(), "w1", TaskId.map(0)), "w2", TaskId.map(1));
    s = s.updated(new JobEvent.TaskFailed(TaskId.map(0), "w1", "boom"));
    s = give(s, "w1", TaskId.map(0));
  }

  @Test
  void jobFailsAfterMaxFailuresNamingFileAndError() {
    JobState s = start();
    String[] workers = {"w1", "w2", "w3"};
    for (int i = 0; i < 3; i++) {
      assertFalse(s.isFinished());
      s = give(s, workers[i], TaskId.map(0));
      s = s.updated(new JobEvent.TaskFailed(TaskId.map(0), workers[i], "java.lang.IllegalStateException: boom " + i));
    }
    assertEquals(JobState.Phase.FAILED, s.phase());
    String failure = s.failure().orElseThrow();
    assertTrue(failure.contains("a.txt") && failure.contains("3 times") && failure.contains("IllegalStateException: boom 2"), failure);
    assertTrue(s.handOut("w3").assignment().isEmpty());
    JobState after = done(s, TaskId.map(1), "w2");
    assertEquals(JobState.Phase.FAILED, after.phase());
  }

  @Test
  void failureReportForADoneTaskIsIgnored() {
    JobState s = give(start(), "w1", TaskId.map(0));
    s = tick(s, 10);
    s = give(s, "w2", TaskId.map(0));
    s = done(s, TaskId.map(0), "w2");
    assertEquals(s, s.updated(new JobEvent.TaskFailed(TaskId.map(0), "w1", "late")));
  }

  @Test
  void failureWhileAnotherWorkerRunsTheTaskLeavesThatWorkerOnIt() {
    JobState s = give(start(), "w1", TaskId.map(0));
    s = tick(s, 10);
    s = give(s, "w2", TaskId.map(0));
    s = s.updated(new JobEvent.TaskFailed(TaskId.map(0), "w1", "boom"));
    assertEquals(JobState.Status.IN_PROGRESS, s.task(TaskId.map(0)).status());
    assertEquals("w2", s.task(TaskId.map(0)).worker());
  }

  @Test
  void reduceTimeoutsTooAndReduceFailureNamesOutput() {
    JobState s = JobState.start(List.of("a.txt"), 1, 2, 1);
    s = done(give(s, "w1", TaskId.map(0)), TaskId.map(0), "w1");
    s = give(s, "w1", TaskId.reduce(0));
    s = tick(s, 2);
    s = give(s, "w2", TaskId.reduce(0));
    s = s.updated(new JobEvent.TaskFailed(TaskId.reduce(0), "w2", "oops"));
    assertTrue(s.failure().orElseThrow().contains("reduce task 0 (output mr-out-0)"), s.failure().toString());
  }
}
