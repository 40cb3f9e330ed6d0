package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.VersusReport.Cell;
import bench.VersusReport.Op;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A very short real versus-etcd run (no warm-up, 1 s per cell, 1 and 4 connections) against a
 * real 3-member etcd and a real raftkv local JVM. Runs only when etcd and wrk are on PATH: .ci/run
 * installs them, so in CI it always runs; elsewhere it is skipped saying how to install them.
 */
class VersusEtcdRunTest {
  @Test
  void shortRunMeasuresBothSidesAndCleansUp() throws Exception {
    String path = System.getenv("PATH");
    Optional<Path> etcd = VersusEtcd.onPath("etcd", path);
    Optional<Path> wrk = VersusEtcd.onPath("wrk", path);
    Assumptions.assumeTrue(etcd.isPresent() && wrk.isPresent(),
        "etcd or wrk not on PATH: " + VersusEtcd.INSTALL_HINT + " to run this test");
    long childrenBefore = ProcessHandle.current().descendants().count();
    List<Path> tempsBefore = temps();

    VersusReport report = VersusEtcd.run(new VersusEtcd.Options(etcd.get(), wrk.get(), 1, 0, List.of(1, 4), 1,
        Duration.ofSeconds(90)));

    assertEquals(6, report.cells().size());
    for (Cell c : report.cells()) {
      assertNotNull(c.etcd(), c.toString());
      assertTrue(c.etcd().requests() > 0, "etcd served " + c);
      assertEquals(0, c.etcd().errors(), "etcd errors in " + c);
      if (c.op() != Op.SERIALIZABLE_GET) {
        assertNotNull(c.ours(), c.toString());
        assertTrue(c.ours().requests() > 0, "ours served " + c);
        assertEquals(0, c.ours().errors(), "our errors in " + c);
        assertTrue(c.ours().p50Ms() > 0 && c.ours().p50Ms() <= c.ours().p99Ms(), c.toString());
        assertNotNull(c.throughputRatio());
      }
    }
    JsonNode j = new ObjectMapper().readTree(report.toJson());
    assertTrue(j.path("etcd_version").asText().matches("\\d+\\.\\d+\\.\\d+"), j.toString());
    assertTrue(j.path("load_generator").asText().startsWith("wrk"), j.toString());
    assertEquals(Runtime.getRuntime().availableProcessors(), j.path("machine").path("cores").asInt());
    assertFalse(j.path("machine").path("load_avg_start").isEmpty(), j.toString());
    assertFalse(j.path("machine").path("load_avg_end").isEmpty(), j.toString());
    assertTrue(j.path("targets").path("writes_2x_at_1").path("met").isBoolean(), j.toString());
    assertTrue(j.path("targets").path("writes_3x_at_256").path("met").isNull(), "256 was not run: " + j);

    // Every process stopped, the temp directory gone.
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (ProcessHandle.current().descendants().count() > childrenBefore && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(childrenBefore, ProcessHandle.current().descendants().count(), "children left running");
    assertEquals(tempsBefore, temps(), "temp directories left behind");
  }

  private static List<Path> temps() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("raftkv-versus-etcd-")).sorted().toList();
    }
  }
}
