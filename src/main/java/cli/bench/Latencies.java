package cli.bench;

import java.util.Arrays;

/**
 * Latency samples of one operation type, in nanoseconds, and their percentiles. Not thread-safe:
 * each load thread keeps its own and they are merged once the threads are done.
 */
public final class Latencies {
  private long[] nanos = new long[1024];
  private int count;

  public void add(long latencyNanos) {
    if (count == nanos.length) nanos = Arrays.copyOf(nanos, count * 2);
    nanos[count++] = latencyNanos;
  }

  public void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) add(other.nanos[i]);
  }

  /** Appends raw samples (for callers that keep their own arrays). */
  public void addAll(long[] samples, int n) {
    for (int i = 0; i < n; i++) add(samples[i]);
  }

  public int count() {
    return count;
  }

  /** The {@code q} quantile (0 < q <= 1) in milliseconds, nearest-rank; NaN without samples. */
  public double percentileMs(double q) {
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    return percentileMs(sorted, q);
  }

  /** Nearest-rank quantile of already sorted nanosecond samples, in milliseconds. */
  public static double percentileMs(long[] sorted, double q) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
