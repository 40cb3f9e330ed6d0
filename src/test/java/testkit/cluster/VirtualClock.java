package testkit.cluster;

/**
 * The virtual time the lab's testers run on: a discrete-event scheduler. {@link LabProcesses}
 * (the lab's goroutines) needs nothing else, so the same processes run over the simulator's
 * {@link testkit.sim.LabNetwork} and over actors driven by ManualTime.
 */
public interface VirtualClock {
  /** Virtual milliseconds since the start. */
  long now();

  /** Runs {@code action} {@code delayMillis} of virtual time from now (on the thread that runs the clock). */
  void schedule(long delayMillis, Runnable action);

  /** Processes every event due up to {@code time} in order, then sets the clock to {@code time}. */
  void runUntil(long time);
}
