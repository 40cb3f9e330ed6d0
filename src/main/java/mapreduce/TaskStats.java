package mapreduce;

/**
 * What one task read and wrote, for the worker's totals and the benchmark: input bytes (map),
 * intermediate bytes written (map files, and the runs of extra merge passes) and read (reduce),
 * output bytes (reduce), the merge passes beyond the final one, and the task's wall time.
 */
public record TaskStats(long inputBytes, long intermediateWritten, long intermediateRead, long outputBytes,
    int extraMergePasses, long millis) {

  public static final TaskStats NONE = new TaskStats(0, 0, 0, 0, 0, 0);

  public TaskStats plus(TaskStats o) {
    return new TaskStats(inputBytes + o.inputBytes, intermediateWritten + o.intermediateWritten,
        intermediateRead + o.intermediateRead, outputBytes + o.outputBytes, extraMergePasses + o.extraMergePasses,
        millis + o.millis);
  }

  TaskStats withMillis(long ms) {
    return new TaskStats(inputBytes, intermediateWritten, intermediateRead, outputBytes, extraMergePasses, ms);
  }
}
