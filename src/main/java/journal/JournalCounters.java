package journal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one group-commit journal has done since its ActorSystem started: the writer thread adds,
 * anyone reads a {@link Snapshot}. {@code writes / fsyncs} is how many persist calls (of all the
 * node's groups) shared one fsync on average.
 */
public final class JournalCounters {
  private final LongAdder fsyncs = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder nanos = new LongAdder();
  private final AtomicLong largest = new AtomicLong();

  /**
   * The counters so far. Read field by field while the writer may be adding, so two fields can be
   * one batch apart; each is exact on its own.
   */
  public record Snapshot(long fsyncs, long writes, long events, long bytes, long rejected, long failedBatches,
      long fsyncNanos, long largestBatchWrites) {
    /** Persist calls per fsync, on average (0 before the first). */
    public double writesPerFsync() {
      return fsyncs == 0 ? 0 : (double) writes / fsyncs;
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(fsyncs.sum(), writes.sum(), events.sum(), bytes.sum(), rejected.sum(), failed.sum(), nanos.sum(),
        largest.get());
  }

  /** One batch is durable: {@code writes} atomic writes of {@code events} events and {@code bytes} bytes in one LevelDB write. */
  void batchWritten(int writes, int events, long bytes, long nanos) {
    fsyncs.increment();
    this.writes.add(writes);
    this.events.add(events);
    this.bytes.add(bytes);
    this.nanos.add(nanos);
    largest.accumulateAndGet(writes, Math::max);
  }

  /** An atomic write whose events could not be serialized: rejected, nothing of it written. */
  void writeRejected() {
    rejected.increment();
  }

  /** A LevelDB write failed: every atomic write in it failed. */
  void batchFailed() {
    failed.increment();
  }
}
