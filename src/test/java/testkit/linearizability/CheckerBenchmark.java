package testkit.linearizability;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;

/**
 * Prints the wall time and peak heap of deciding the speed target's histories (50 clients, 2,000
 * Get/Put/Append operations over 10 keys), linearizable and with one stale read, for several seeds.
 * Not a test (wall time on a shared machine is no verdict); run it with a heap cap, see the README:
 *
 * <pre>java -Xmx512m -cp target/test-classes:target/classes:$(cat target/cp.txt)
 *     testkit.linearizability.CheckerBenchmark [seeds] [first seed]</pre>
 */
public final class CheckerBenchmark {
  private CheckerBenchmark() {}

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    long first = args.length > 1 ? Long.parseLong(args[1]) : 1;
    LinearizabilityChecker.Options options = LinearizabilityChecker.Options.defaults().withTimeout(Duration.ofSeconds(60));
    // Warm the JIT on a few histories first (their numbers are not reported).
    for (long s = 1_000; s < 1_003; s++) {
      LinearizabilityChecker.check(KvModel.lab(), HardHistory.withStaleRead(s), options);
    }
    resetPeaks();
    long worst = 0;
    for (long seed = first; seed < first + seeds; seed++) {
      for (boolean stale : new boolean[] {false, true}) {
        List<Operation<KvInput, KvOutput>> h = stale ? HardHistory.withStaleRead(seed) : HardHistory.linearizable(seed);
        long t0 = System.nanoTime();
        CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(KvModel.lab(), h, options);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        worst = Math.max(worst, ms);
        System.out.printf("seed %d %-12s -> %-12s %5d ms, %,9d steps, %,8d states%n", seed,
            stale ? "stale read" : "linearizable", r.outcome(), ms, r.steps(), r.states());
      }
    }
    System.out.printf("worst %d ms; peak heap %d MiB (max heap %d MiB)%n", worst, peakHeap() >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peak usage since the reset (an upper bound of the live peak). */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
