package testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.linearizability.CheckResult.Outcome;

/**
 * The speed target without a wall clock: the 50-client, 2,000-operation, 10-key Get/Put/Append
 * histories of {@link HardHistory}, linearizable and with one stale read, must be decided (never
 * UNKNOWN) within a bound on the memoized search states, which is what time and memory follow. One
 * thread, so the counts are the same on every run. Wall time and heap: {@link CheckerBenchmark}.
 */
@ExtendWith(SeedExtension.class)
class CheckerSpeedTest {
  private static final Logger log = LoggerFactory.getLogger(CheckerSpeedTest.class);
  /** Measured at most 5,588 over seeds 1-40 (both verdicts); the checker before needed up to 1.5 million. */
  private static final long MAX_STATES = 50_000;
  private static final long MAX_STEPS = 500_000;
  private static final LinearizabilityChecker.Options ONE_THREAD = LinearizabilityChecker.Options.defaults()
      .withThreads(1);

  @Test
  void hardHistoriesAreDecidedWithinTheStateBound(long seed) {
    log.info("seed {}", seed);
    LongStream.concat(LongStream.rangeClosed(1, 10), LongStream.of(seed)).forEach(s -> {
      CheckResult<KvInput, KvOutput> ok = check(HardHistory.linearizable(s));
      assertEquals(Outcome.LINEARIZABLE, ok.outcome(), "seed " + s + ": " + ok.summary());
      List<Operation<KvInput, KvOutput>> stale = HardHistory.withStaleRead(s);
      CheckResult<KvInput, KvOutput> bad = check(stale);
      assertEquals(Outcome.ILLEGAL, bad.outcome(), "seed " + s + ": " + bad.summary());
      String key = staleKey(HardHistory.linearizable(s), stale);
      assertEquals("key \"" + key + "\"", bad.smallestFailure().orElseThrow().label(),
          "the failing partition is the key of the stale read");
    });
  }

  private static CheckResult<KvInput, KvOutput> check(List<Operation<KvInput, KvOutput>> h) {
    assertEquals(HardHistory.OPERATIONS, h.size());
    CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(KvModel.lab(), h, ONE_THREAD);
    log.info("{}", r.summary());
    assertTrue(r.states() <= MAX_STATES, "too many states: " + r.summary());
    assertTrue(r.steps() <= MAX_STEPS, "too many steps: " + r.summary());
    return r;
  }

  /** The key of the one Get whose output differs between the two histories (same seed, same operations). */
  private static String staleKey(List<Operation<KvInput, KvOutput>> good, List<Operation<KvInput, KvOutput>> bad) {
    String key = null;
    for (int i = 0; i < good.size(); i++) {
      if (!good.get(i).equals(bad.get(i))) {
        assertEquals(null, key, "exactly one operation differs");
        key = ((KvInput.Get) bad.get(i).input()).key();
      }
    }
    assertTrue(key != null, "one operation differs");
    return key;
  }

  @Test
  void theGeneratorMatchesTheTargetShape() {
    List<Operation<KvInput, KvOutput>> h = HardHistory.linearizable(1);
    assertEquals(HardHistory.CLIENTS, h.stream().mapToInt(Operation::clientId).distinct().count());
    assertEquals(HardHistory.KEYS, KvModel.lab().partition(h).size());
    assertTrue(h.stream().anyMatch(op -> op.input() instanceof KvInput.Put));
    assertTrue(h.stream().anyMatch(op -> op.input() instanceof KvInput.Append));
    // Concurrent and overlapping: the most operations in flight at one time, over all keys.
    long maxInFlight = h.stream().mapToLong(o -> h.stream().filter(q -> q.call() <= o.call() && q.ret() >= o.call())
        .count()).max().orElse(0);
    assertTrue(maxInFlight >= 30, "in flight at once: " + maxInFlight);
  }
}
