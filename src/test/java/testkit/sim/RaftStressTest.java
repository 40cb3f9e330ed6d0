package testkit.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Opt-in stress run of the Raft lab suites through Maven; skipped unless {@code -Dstress.rounds=N}:
 * {@code mvn -B test -Dtest=RaftStressTest -Dstress.rounds=10 -Dstress.parallel=10
 * [-Dstress.filter=3C] [-Dstress.seed=N] [-Dstress.suites=kvraft.KvRaftLab4Test]}. Fails if any run failed; the report lists the seeds.
 */
class RaftStressTest {
  @Test
  @Timeout(value = 2, unit = java.util.concurrent.TimeUnit.HOURS)
  void stressRaftLabSuites() {
    String rounds = System.getProperty("stress.rounds");
    assumeTrue(rounds != null && !rounds.isBlank(), "opt-in: run with -Dstress.rounds=N");
    int parallel = Integer.getInteger("stress.parallel", 10);
    Pattern filter = Pattern.compile(System.getProperty("stress.filter", ".*"));
    long base = Long.getLong("stress.seed", System.nanoTime());
    String suites = System.getProperty("stress.suites", "");
    Map<String, RaftStress.Stats> report = RaftStress.run(
        suites.isBlank() ? RaftStress.SUITES : java.util.List.of(suites.split(",")),
        Integer.parseInt(rounds.trim()), parallel, filter, base);
    String text = RaftStress.format(report, Integer.parseInt(rounds.trim()), parallel, base);
    System.out.println(text);
    assertTrue(report.values().stream().allMatch(s -> s.failed == 0), text);
  }
}
