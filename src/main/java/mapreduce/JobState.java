package mapreduce;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The coordinator's whole job logic as an immutable value: which tasks are idle, in progress (by
 * whom, since which tick) or done, how often each failed, and whether the job is done or failed.
 * Time arrives as {@link JobEvent.Ticked}; nothing here reads a clock, so tests drive it tick by tick.
 *
 * <p>Rules, as in the lab: map tasks first, reduce tasks only once every map is done; a task in
 * progress for {@code timeoutTicks} ticks goes back to idle; a lost worker's tasks go back to idle at
 * once; a completion for a task already done changes nothing. A task whose app threw is retried,
 * preferably on another worker, and after {@code maxFailures} failures the job fails.
 */
public record JobState(
    List<String> files,
    int nReduce,
    int timeoutTicks,
    int maxFailures,
    long now,
    List<Task> maps,
    List<Task> reduces,
    int reissued,
    int duplicateCompletions,
    Optional<String> failure) {

  public enum Status { IDLE, IN_PROGRESS, DONE }

  public enum Phase { MAP, REDUCE, DONE, FAILED }

  /** One task's bookkeeping. {@code worker} and {@code issuedAt} matter only while in progress. */
  public record Task(TaskId id, Status status, String worker, long issuedAt, int handouts, int failures,
      Set<String> failedOn, String lastError) {
    public Task {
      failedOn = Set.copyOf(failedOn);
    }

    static Task idle(TaskId id) {
      return new Task(id, Status.IDLE, "", 0, 0, 0, Set.of(), "");
    }

    Task issuedTo(String w, long at) {
      return new Task(id, Status.IN_PROGRESS, w, at, handouts + 1, failures, failedOn, lastError);
    }

    Task backToIdle() {
      return new Task(id, Status.IDLE, "", 0, handouts, failures, failedOn, lastError);
    }

    Task done() {
      return new Task(id, Status.DONE, "", 0, handouts, failures, failedOn, lastError);
    }

    Task failedOnce(String w, String error) {
      Set<String> on = new HashSet<>(failedOn);
      on.add(w);
      boolean stillRunningElsewhere = status == Status.IN_PROGRESS && !worker.equals(w);
      return new Task(id, stillRunningElsewhere ? Status.IN_PROGRESS : Status.IDLE,
          stillRunningElsewhere ? worker : "", stillRunningElsewhere ? issuedAt : 0, handouts, failures + 1, on, error);
    }
  }

  /** What a worker is told to do next; {@code file} is empty for reduce tasks. */
  public record Assignment(TaskId task, String file, int nMap, int nReduce) {}

  /** The state after a hand-out and the task handed out, if any. */
  public record Handout(JobState state, Optional<Assignment> assignment) {}

  public JobState {
    files = List.copyOf(files);
    maps = List.copyOf(maps);
    reduces = List.copyOf(reduces);
  }

  public static JobState start(List<String> files, int nReduce, int timeoutTicks, int maxFailures) {
    if (files.isEmpty() || nReduce < 1 || timeoutTicks < 1 || maxFailures < 1) {
      throw new IllegalArgumentException("need files, nReduce >= 1, timeoutTicks >= 1, maxFailures >= 1");
    }
    List<Task> maps = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      maps.add(Task.idle(TaskId.map(i)));
    }
    List<Task> reduces = new ArrayList<>();
    for (int i = 0; i < nReduce; i++) {
      reduces.add(Task.idle(TaskId.reduce(i)));
    }
    return new JobState(files, nReduce, timeoutTicks, maxFailures, 0, maps, reduces, 0, 0, Optional.empty());
  }

  public Phase phase() {
    if (failure.isPresent()) {
      return Phase.FAILED;
    }
    if (mapsDone() < maps.size()) {
      return Phase.MAP;
    }
    return reducesDone() < reduces.size() ? Phase.REDUCE : Phase.DONE;
  }

  public boolean isFinished() {
    Phase p = phase();
    return p == Phase.DONE || p == Phase.FAILED;
  }

  public int mapsDone() {
    return (int) maps.stream().filter(t -> t.status() == Status.DONE).count();
  }

  public int reducesDone() {
    return (int) reduces.stream().filter(t -> t.status() == Status.DONE).count();
  }

  public Task task(TaskId id) {
    return (id.kind() == TaskId.Kind.MAP ? maps : reduces).get(id.index());
  }

  /** Tasks currently in progress on {@code worker}. */
  public List<TaskId> tasksOf(String worker) {
    List<TaskId> out = new ArrayList<>();
    for (Task t : current()) {
      if (t.status() == Status.IN_PROGRESS && t.worker().equals(worker)) {
        out.add(t.id());
      }
    }
    return out;
  }

  /**
   * Hands the next idle task of the current phase to {@code worker}: the first one this worker has
   * not failed, else the first idle one. Empty when nothing is idle (the worker waits) or the job is
   * finished.
   */
  public Handout handOut(String worker) {
    if (isFinished()) {
      return new Handout(this, Optional.empty());
    }
    Task firstIdle = null;
    Task preferred = null;
    for (Task t : current()) {
      if (t.status() != Status.IDLE) {
        continue;
      }
      if (firstIdle == null) {
        firstIdle = t;
      }
      if (!t.failedOn().contains(worker)) {
        preferred = t;
        break;
      }
    }
    Task pick = preferred != null ? preferred : firstIdle;
    if (pick == null) {
      return new Handout(this, Optional.empty());
    }
    JobState next = with(pick.issuedTo(worker, now), pick.handouts() > 0 ? 1 : 0, 0);
    String file = pick.id().kind() == TaskId.Kind.MAP ? files.get(pick.id().index()) : "";
    return new Handout(next, Optional.of(new Assignment(pick.id(), file, files.size(), nReduce)));
  }

  /** The one-line event handler: {@code state = state.updated(event)}. */
  public JobState updated(JobEvent event) {
    if (event instanceof JobEvent.Ticked) {
      return ticked();
    } else if (event instanceof JobEvent.TaskCompleted c) {
      return completed(c);
    } else if (event instanceof JobEvent.TaskFailed f) {
      return failed(f);
    } else if (event instanceof JobEvent.WorkerLost l) {
      return workerLost(l);
    }
    throw new IllegalStateException("unhandled " + event);
  }

  private JobState ticked() {
    long t = now + 1;
    JobState s = new JobState(files, nReduce, timeoutTicks, maxFailures, t, maps, reduces, reissued,
        duplicateCompletions, failure);
    for (Task task : current()) {
      if (task.status() == Status.IN_PROGRESS && t - task.issuedAt() >= timeoutTicks) {
        s = s.with(task.backToIdle(), 0, 0);
      }
    }
    return s;
  }

  private JobState completed(JobEvent.TaskCompleted c) {
    Task t = task(c.task());
    if (t.status() == Status.DONE || isFinished()) {
      return with(t, 0, 1);
    }
    return with(t.done(), 0, 0);
  }

  private JobState failed(JobEvent.TaskFailed f) {
    Task t = task(f.task());
    if (t.status() == Status.DONE || isFinished()) {
      return this;
    }
    Task after = t.failedOnce(f.worker(), f.error());
    JobState s = with(after, 0, 0);
    if (after.failures() >= maxFailures) {
      String what = f.task().kind() == TaskId.Kind.MAP
          ? "map task " + f.task().index() + " (file " + files.get(f.task().index()) + ")"
          : "reduce task " + f.task().index() + " (output " + TaskFiles.outputName(f.task().index()) + ")";
      String msg = what + " failed " + after.failures() + " times; last error: " + f.error();
      return new JobState(files, nReduce, timeoutTicks, maxFailures, now, s.maps, s.reduces, reissued,
          duplicateCompletions, Optional.of(msg));
    }
    return s;
  }

  private JobState workerLost(JobEvent.WorkerLost l) {
    JobState s = this;
    for (TaskId id : tasksOf(l.worker())) {
      s = s.with(task(id).backToIdle(), 0, 0);
    }
    return s;
  }

  /** Tasks of the phase now running: maps until every map is done, then reduces. */
  private List<Task> current() {
    return mapsDone() < maps.size() ? maps : reduces;
  }

  private JobState with(Task t, int moreReissued, int moreDuplicates) {
    List<Task> m = maps;
    List<Task> r = reduces;
    if (t.id().kind() == TaskId.Kind.MAP) {
      m = new ArrayList<>(maps);
      m.set(t.id().index(), t);
    } else {
      r = new ArrayList<>(reduces);
      r.set(t.id().index(), t);
    }
    return new JobState(files, nReduce, timeoutTicks, maxFailures, now, m, r, reissued + moreReissued,
        duplicateCompletions + moreDuplicates, failure);
  }
}
