package testkit.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Stress run of the lab suites. The normal build runs 5 rounds of the 28 Raft lab 3 scenarios, 2
 * at once (a few seconds); ask for more with {@code mvn -B test -Dtest=RaftStressTest
 * -Dstress.rounds=100 -Dstress.parallel=10 [-Dstress.filter=3C] [-Dstress.seed=N]
 * [-Dstress.suites=kvraft.KvRaftLab4Test]}. Fails if any run failed; the report lists the seeds.
 */
class RaftStressTest {
  @Test
  @Timeout(value = 2, unit = java.util.concurrent.TimeUnit.HOURS)
  void stressLabSuites() {
    int rounds = Integer.getInteger("stress.rounds", 5);
    int parallel = Integer.getInteger("stress.parallel", 2);
    Pattern filter = Pattern.compile(System.getProperty("stress.filter", ".*"));
    long base = Long.getLong("stress.seed", System.nanoTime());
    String suites = System.getProperty("stress.suites", "");
    Map<String, RaftStress.Stats> report = RaftStress.run(
        suites.isBlank() ? RaftStress.SUITES : List.of(suites.split(",")), rounds, parallel, filter, base);
    String text = RaftStress.format(report, rounds, parallel, base);
    LoggerFactory.getLogger(RaftStressTest.class).info("\n{}", text);
    assertTrue(report.values().stream().allMatch(s -> s.failed == 0), text);
  }
}
