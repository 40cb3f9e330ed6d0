package testkit;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls a reading until it satisfies a condition, bounded: for what happens after the call that
 * caused it returned (a replica's snapshot becomes durable on the blocking-I/O pool, so its log is
 * trimmed a moment after the write that crossed the threshold was answered).
 */
public final class Polled {
  private Polled() {}

  /** The first reading of {@code read} that satisfies {@code done}; fails with the last one after {@code timeout}. */
  public static <T> T until(Supplier<T> read, Predicate<T> done, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = read.get();
      if (done.test(v)) return v;
      if (System.nanoTime() > deadline) throw new AssertionError(what + " within " + timeout + "; last seen: " + v);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
