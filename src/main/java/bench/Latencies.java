package bench;

import org.HdrHistogram.Histogram;

/**
 * Latency samples of one operation type, in nanoseconds, kept in an HdrHistogram (three
 * significant digits: a percentile is within 0.1 % of the exact sample, in constant memory
 * however long the run). Not thread-safe: each load thread keeps its own and they are merged
 * once the threads are done.
 */
public final class Latencies {
  private static final int SIGNIFICANT_DIGITS = 3;
  private final Histogram histogram = new Histogram(SIGNIFICANT_DIGITS); // auto-resizing: any latency fits

  public void add(long latencyNanos) {
    histogram.recordValue(Math.max(0, latencyNanos));
  }

  public void addAll(Latencies other) {
    histogram.add(other.histogram);
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The {@code q} quantile (0 < q <= 1) in milliseconds; NaN without samples. */
  public double percentileMs(double q) {
    if (count() == 0) return Double.NaN;
    return histogram.getValueAtPercentile(q * 100) / 1e6;
  }

  /** The largest sample in milliseconds (to the histogram's precision); NaN without samples. */
  public double maxMs() {
    return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1e6;
  }

  /**
   * {@code count}, {@code p50_ms}, {@code p99_ms}, {@code p999_ms}, {@code max_ms} (rounded to
   * microseconds; null without samples, since NaN is not JSON), for a benchmark's JSON line.
   */
  public java.util.Map<String, Object> summary() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("count", count());
    m.put("p50_ms", rounded(percentileMs(0.50)));
    m.put("p99_ms", rounded(percentileMs(0.99)));
    m.put("p999_ms", rounded(percentileMs(0.999)));
    m.put("max_ms", rounded(maxMs()));
    return m;
  }

  private static Double rounded(double ms) {
    return Double.isNaN(ms) ? null : Math.round(ms * 1000) / 1000.0;
  }
}
