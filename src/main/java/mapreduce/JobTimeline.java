package mapreduce;

import java.util.List;
import java.util.Locale;

/**
 * Where a job's time went, as the coordinator saw it (epoch milliseconds; 0 when it did not happen):
 * when it started, when each worker first asked for a task, when a worker first found no map task
 * left to take (from then on it waits for the other workers' maps: the barrier between the phases),
 * when the last map and the whole job were done, and when the coordinator stopped (the linger).
 */
public record JobTimeline(long startedAt, List<Long> workerJoinedAt, long firstIdleInMapAt, long mapsDoneAt,
    long doneAt, long stoppedAt) {

  public JobTimeline {
    workerJoinedAt = List.copyOf(workerJoinedAt);
  }

  public long firstJoinAt() {
    return workerJoinedAt.isEmpty() ? 0 : workerJoinedAt.get(0);
  }

  public long lastJoinAt() {
    return workerJoinedAt.isEmpty() ? 0 : workerJoinedAt.get(workerJoinedAt.size() - 1);
  }

  /** One line for the log and for the benchmark to parse. */
  public String describe() {
    return String.format(Locale.ROOT, "timeline: started=%d first-join=%d last-join=%d workers=%d first-idle-in-map=%d "
            + "maps-done=%d done=%d stopped=%d | join %.2f s, map %.2f s (barrier wait %.2f s), reduce %.2f s, linger %.2f s",
        startedAt, firstJoinAt(), lastJoinAt(), workerJoinedAt.size(), firstIdleInMapAt, mapsDoneAt, doneAt, stoppedAt,
        span(startedAt, lastJoinAt()), span(firstJoinAt(), mapsDoneAt), span(firstIdleInMapAt, mapsDoneAt),
        span(mapsDoneAt, doneAt), span(doneAt, stoppedAt));
  }

  private static double span(long from, long to) {
    return from == 0 || to == 0 ? 0 : (to - from) / 1000.0;
  }
}
