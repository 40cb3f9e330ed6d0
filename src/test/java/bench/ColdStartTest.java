package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.ColdStart.Measured;
import bench.ColdStart.Variant;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ColdStartTest {
  private static Wrk.Run run(long requests, long statusErrors) {
    return new Wrk.Run(requests, 10.0, statusErrors, 0, 1.0, 2.0, 3.0, 4.0);
  }

  @Test
  void aVariantIsANameAndSpaceSeparatedJvmOptions() {
    Variant v = Variant.parse("c1cds=-XX:TieredStopAtLevel=1  -XX:SharedArchiveFile=/tmp/a.jsa");
    assertEquals("c1cds", v.name());
    assertEquals(List.of("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/tmp/a.jsa"), v.jvmOptions());
    assertEquals(List.of(), Variant.parse("plain=").jvmOptions());
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("-XX:TieredStopAtLevel=1"));
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("=-Xmx1g"));
  }

  @Test
  void theTargetIsTheShippedVariantsColdOverWarmRatioWithoutErrors() throws Exception {
    Measured shipped = new Measured(Variant.SHIPPED, 8.5, run(400, 0), run(1000, 0));
    Measured c1 = new Measured(Variant.parse("c1=-XX:TieredStopAtLevel=1"), 4.0, run(600, 0), run(900, 0));
    JsonNode j = new ObjectMapper().readTree(new ColdStart.Report(Map.of("connections", 1), List.of(shipped, c1)).toJson());
    assertEquals("cold-start", j.path("bench").asText());
    assertEquals(0.4, j.path("target").path("value").asDouble(), 1e-9);
    assertEquals("shipped", j.path("target").path("variant").asText());
    assertFalse(j.path("target").path("met").asBoolean(), "0.4 < 0.5: " + j);
    assertEquals(0.667, j.path("variants").get(1).path("cold_over_warm").asDouble(), 1e-9);
    assertTrue(j.path("variants").get(1).path("met").asBoolean(), j.toString());
    assertEquals(60, j.path("variants").get(1).path("cold").path("rps").asLong());

    Measured errors = new Measured(Variant.SHIPPED, 8.5, run(900, 3), run(1000, 0));
    assertTrue(errors.ratio() > 0.5);
    assertFalse(errors.met(), "a window with errors never meets the target");
  }

  /**
   * A real, very short run against real raftkv local JVMs (a 1 s JIT warm-up instead of the
   * shipped 10 s, to keep the suite short); wrk must be on PATH (.ci/run installs it).
   */
  @Test
  void aShortRealRunMeasuresBothWindowsOfEveryVariant() throws Exception {
    Optional<Path> wrk = VersusEtcd.onPath("wrk", System.getenv("PATH"));
    Assumptions.assumeTrue(wrk.isPresent(), "wrk not on PATH: apt-get install -y wrk to run this test");
    ColdStart.Report report = ColdStart.run(new ColdStart.Options(wrk.get(), 2, 1, 1,
        List.of(Variant.parse("warm1s=-Draftkv.node.jit-warm-up=1s"),
            Variant.parse("c1=-XX:TieredStopAtLevel=1 -Draftkv.node.jit-warm-up=0s")), 7, Duration.ofSeconds(90)));
    assertEquals(2, report.variants().size());
    for (Measured m : report.variants()) {
      assertTrue(m.readySeconds() > 0, m.toString());
      assertTrue(m.cold().requests() > 0 && m.warm().requests() > 0, m.toString());
      assertEquals(0, m.cold().errors() + m.warm().errors(), m.toString());
    }
    JsonNode j = new ObjectMapper().readTree(report.toJson());
    assertEquals("-XX:TieredStopAtLevel=1", j.path("variants").get(1).path("jvm_options").get(0).asText());
    assertEquals("warm1s", j.path("target").path("variant").asText(), "the first variant is the one the target reads");
    assertFalse(j.path("machine").path("load_avg_end").isEmpty(), j.toString());
  }
}
