package mapreduce;

import java.time.Duration;

/**
 * Timing of a MapReduce job. The coordinator ticks every {@code tickInterval}; a task not finished
 * after {@code taskTimeoutTicks} ticks is handed out again (the lab's 10 s); a task whose app threw
 * {@code maxTaskFailures} times fails the job. A worker whose last task took less than
 * {@code prefetchBelow} asks for its next task as it starts one, so short tasks do not wait a round
 * trip for each other (zero: never); a slow task's successor is never fetched early, so it cannot
 * sit in a queue until the re-issue timeout.
 */
public record MapReduceSettings(
    Duration tickInterval,
    int taskTimeoutTicks,
    int maxTaskFailures,
    Duration lingerAfterDone,
    Duration joinTimeout,
    Duration coordinatorLostAfter,
    Duration prefetchBelow) {

  public static MapReduceSettings defaults() {
    return new MapReduceSettings(Duration.ofMillis(500), 20, 3, Duration.ofSeconds(1),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofMillis(500));
  }

  public MapReduceSettings withJoinTimeout(Duration d) {
    return new MapReduceSettings(tickInterval, taskTimeoutTicks, maxTaskFailures, lingerAfterDone, d,
        coordinatorLostAfter, prefetchBelow);
  }

  public MapReduceSettings withPrefetchBelow(Duration d) {
    return new MapReduceSettings(tickInterval, taskTimeoutTicks, maxTaskFailures, lingerAfterDone, joinTimeout,
        coordinatorLostAfter, d);
  }

  public MapReduceSettings validate() {
    if (tickInterval.isNegative() || tickInterval.isZero()) {
      throw new IllegalArgumentException("tickInterval must be positive: " + tickInterval);
    }
    if (taskTimeoutTicks < 1) {
      throw new IllegalArgumentException("taskTimeoutTicks must be at least 1: " + taskTimeoutTicks);
    }
    if (prefetchBelow.isNegative() || prefetchBelow.compareTo(tickInterval.multipliedBy(taskTimeoutTicks)) >= 0) {
      throw new IllegalArgumentException("prefetchBelow must be between zero and the re-issue timeout: " + prefetchBelow);
    }
    if (maxTaskFailures < 1) {
      throw new IllegalArgumentException("maxTaskFailures must be at least 1: " + maxTaskFailures);
    }
    return this;
  }

  /** The re-issue timeout in wall time, for messages. */
  public Duration taskTimeout() {
    return tickInterval.multipliedBy(taskTimeoutTicks);
  }
}
