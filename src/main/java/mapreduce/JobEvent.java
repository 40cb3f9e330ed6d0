package mapreduce;

/** What the coordinator feeds into {@link JobState#updated}: ticks, reports from workers, lost workers. */
public sealed interface JobEvent {
  /** One tick of the coordinator's timer; tasks in progress too long are handed out again. */
  enum Ticked implements JobEvent { INSTANCE }

  /** A worker finished a task and its output files are in place. */
  record TaskCompleted(TaskId task, String worker) implements JobEvent {}

  /** The app threw while a worker ran the task; {@code error} names the exception. */
  record TaskFailed(TaskId task, String worker, String error) implements JobEvent {}

  /** The worker died, became unreachable or left: its tasks in progress are handed out at once. */
  record WorkerLost(String worker) implements JobEvent {}
}
