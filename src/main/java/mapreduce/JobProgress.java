package mapreduce;

import java.util.Optional;

/** A snapshot for the coordinator's progress line and summary. {@code failure} is set when the job failed. */
public record JobProgress(
    JobState.Phase phase,
    int mapsDone,
    int maps,
    int reducesDone,
    int reduces,
    int reissued,
    int duplicateCompletions,
    int workersAlive,
    Optional<String> failure) {

  static JobProgress of(JobState s, int workersAlive) {
    return new JobProgress(s.phase(), s.mapsDone(), s.maps().size(), s.reducesDone(), s.reduces().size(),
        s.reissued(), s.duplicateCompletions(), workersAlive, s.failure());
  }

  /** One stable line: {@code maps 8/8 reduces 3/10 reissued 1 workers 3 (reduce)}. */
  public String describe() {
    return "maps " + mapsDone + "/" + maps + " reduces " + reducesDone + "/" + reduces + " reissued " + reissued
        + " workers " + workersAlive + " (" + phase.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }
}
