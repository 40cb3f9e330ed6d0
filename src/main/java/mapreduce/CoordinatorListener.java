package mapreduce;

/**
 * How the process hosting a {@link Coordinator} hears about the job (the CLI prints progress lines
 * and a summary). Called on the coordinator actor's thread; keep it quick.
 */
public interface CoordinatorListener {
  /** The counts changed. */
  void progress(JobProgress progress);

  /** The job is done or failed ({@link JobProgress#failure()}); the coordinator stops shortly after. */
  void finished(JobProgress progress);

  /**
   * No worker has been connected for {@code idle} (said once per re-issue timeout while it lasts):
   * the job waits for one, since workers may be started at any time, but says so instead of
   * falling silent.
   */
  default void noWorkers(JobProgress progress, java.time.Duration idle) {}

  /** The coordinator is stopping (after the linger): where the job's time went. */
  default void stopped(JobTimeline timeline) {}

  CoordinatorListener NONE = new CoordinatorListener() {
    @Override
    public void progress(JobProgress progress) {}

    @Override
    public void finished(JobProgress progress) {}
  };
}
