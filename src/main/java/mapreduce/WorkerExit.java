package mapreduce;

/** Why a worker stopped, with the process exit code the CLI uses. */
public enum WorkerExit {
  /** The coordinator said the job is done. */
  JOB_DONE(0),
  /** The coordinator said the job failed (an app kept throwing). */
  JOB_FAILED(1),
  /** The coordinator runs a different app. */
  REFUSED(2),
  /** No coordinator was found within the join timeout (normal for a worker started after the job ended). */
  NO_COORDINATOR(3),
  /** The coordinator stopped or stayed unreachable. */
  COORDINATOR_LOST(4);

  private final int exitCode;

  WorkerExit(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
