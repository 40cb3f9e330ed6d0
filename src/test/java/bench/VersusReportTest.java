package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.VersusReport.Cell;
import bench.VersusReport.Op;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The versus-etcd computation without etcd: ratios, targets, JSON, etcd's and wrk's command lines, the script. */
class VersusReportTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** A run of {@code rps} requests/s over 10 s with the given p99 (p50 a tenth of it), no errors. */
  static Wrk.Run run(double rps, double p99Ms) {
    return new Wrk.Run(Math.round(rps * 10), 10, 0, 0, p99Ms / 10, p99Ms, p99Ms * 2, p99Ms * 3);
  }

  /** Every cell: etcd 1000 req/s p99 10 ms; ours as given for puts and linearizable gets, no serializable read. */
  static VersusReport report(double putRatio, double getRatio, double oursP99) {
    List<Cell> cells = new ArrayList<>();
    for (int n : List.of(1, 16, 256)) {
      cells.add(new Cell(Op.PUT, n, run(1000, 10), run(1000 * putRatio, oursP99)));
      cells.add(new Cell(Op.LINEARIZABLE_GET, n, run(1000, 10), run(1000 * getRatio, oursP99)));
      cells.add(new Cell(Op.SERIALIZABLE_GET, n, run(2000, 5), null));
    }
    return new VersusReport(Map.of("seconds", 10), cells);
  }

  @Test
  void ratiosAreOrientedSoThatAboveOneMeansOursIsBetter() {
    Cell c = new Cell(Op.PUT, 16, run(1000, 20), run(3000, 5));
    assertEquals(3.0, c.throughputRatio(), 1e-9);
    assertEquals(4.0, c.p99Ratio(), 1e-9);
    assertEquals(4.0, c.p50Ratio(), 1e-9);
  }

  @Test
  void anUnsupportedSideHasNullRatiosAndIsNullInTheJson() throws IOException {
    VersusReport r = report(3, 10, 5);
    Cell s = r.cell(Op.SERIALIZABLE_GET, 1);
    assertNull(s.throughputRatio());
    assertNull(s.p99Ratio());
    JsonNode j = MAPPER.readTree(r.toJson());
    JsonNode cell = j.path("cells").get(2);
    assertEquals("serializable_get", cell.path("op").asText());
    assertTrue(cell.path("ours").isNull());
    assertTrue(cell.path("rps_ratio_ours_over_etcd").isNull());
    assertEquals(2000, cell.path("etcd").path("rps").asLong());
    assertEquals(0, cell.path("etcd").path("errors").asLong());
    assertTrue(cell.path("etcd").has("status_errors") && cell.path("etcd").has("socket_errors"));
  }

  @Test
  void everyTargetMetWhenOursLeadsByTheRequiredFactors() throws IOException {
    VersusReport r = report(3, 10, 10); // p99 equal: "no worse" is met
    r.targets().forEach((name, t) -> assertEquals(Boolean.TRUE, t.get("met"), name));
    assertTrue(r.allTargetsMet());
    JsonNode j = MAPPER.readTree(r.toJson());
    assertEquals("versus-etcd", j.path("bench").asText());
    assertEquals(10, j.path("seconds").asInt());
    assertEquals(9, j.path("cells").size());
    assertTrue(j.path("all_targets_met").asBoolean());
    assertEquals(3.0, j.path("targets").path("writes_3x_at_256").path("value").asDouble(), 1e-9);
    assertEquals(3.0, j.path("targets").path("writes_3x_at_256").path("need").asDouble(), 1e-9);
  }

  @Test
  void targetsJustBelowTheirFactorsAreNotMet() {
    VersusReport r = report(2.99, 9.99, 10.01);
    Map<String, Map<String, Object>> t = r.targets();
    assertEquals(false, t.get("writes_3x_at_256").get("met"));
    assertEquals(true, t.get("writes_2x_at_1").get("met"));
    assertEquals(true, t.get("writes_2x_at_16").get("met"));
    assertEquals(false, t.get("linearizable_reads_10x_at_256").get("met"));
    assertEquals(true, t.get("linearizable_reads_2x_at_1").get("met"));
    for (int n : List.of(1, 16, 256)) {
      assertEquals(false, t.get("p99_put_no_worse_at_" + n).get("met"));
      assertEquals(false, t.get("p99_linearizable_get_no_worse_at_" + n).get("met"));
    }
    assertEquals(11, t.size());
    assertFalse(r.allTargetsMet());
  }

  @Test
  void errorsOnOurSideFailATargetWhateverTheRatio() {
    Wrk.Run withErrors = new Wrk.Run(100_000, 10, 3, 0, 1, 1, 1, 1);
    VersusReport r = new VersusReport(Map.of(), List.of(new Cell(Op.PUT, 1, run(1000, 10), withErrors)));
    assertEquals(false, r.targets().get("writes_2x_at_1").get("met"));
    assertEquals(3, withErrors.errors());
    assertEquals((100_000 - 3) / 10.0, withErrors.okPerSecond(), 1e-9);
  }

  @Test
  void targetsOfCellsNotRunAreNull() {
    VersusReport r = new VersusReport(Map.of(), List.of(new Cell(Op.PUT, 1, run(1000, 10), run(2500, 5))));
    Map<String, Map<String, Object>> t = r.targets();
    assertEquals(true, t.get("writes_2x_at_1").get("met"));
    assertNull(t.get("writes_3x_at_256").get("met"));
    assertNull(t.get("linearizable_reads_2x_at_1").get("met"));
    assertTrue(r.allTargetsMet(), "every target that was run is met");
    assertFalse(new VersusReport(Map.of(), List.of()).allTargetsMet(), "nothing run: not met");
  }

  @Test
  void etcdMemberCommandLineNamesEveryMemberAndItsOwnUrls() {
    Path dir = Path.of("/tmp/x");
    List<EtcdCluster.Member> all = List.of(new EtcdCluster.Member("m1", 3001, 4001, dir.resolve("m1")),
        new EtcdCluster.Member("m2", 3002, 4002, dir.resolve("m2")), new EtcdCluster.Member("m3", 3003, 4003, dir.resolve("m3")));
    List<String> cmd = EtcdCluster.command(Path.of("/usr/bin/etcd"), all.get(1), all);
    assertEquals("/usr/bin/etcd", cmd.get(0));
    assertEquals("m2", after(cmd, "--name"));
    assertEquals("/tmp/x/m2", after(cmd, "--data-dir"));
    assertEquals("http://127.0.0.1:3002", after(cmd, "--listen-client-urls"));
    assertEquals("http://127.0.0.1:3002", after(cmd, "--advertise-client-urls"));
    assertEquals("http://127.0.0.1:4002", after(cmd, "--listen-peer-urls"));
    assertEquals("http://127.0.0.1:4002", after(cmd, "--initial-advertise-peer-urls"));
    assertEquals("m1=http://127.0.0.1:4001,m2=http://127.0.0.1:4002,m3=http://127.0.0.1:4003", after(cmd, "--initial-cluster"));
    assertEquals("new", after(cmd, "--initial-cluster-state"));
    assertFalse(cmd.stream().anyMatch(a -> a.contains("unsafe-no-fsync")), "fsync stays on");
  }

  private static String after(List<String> cmd, String flag) {
    int i = cmd.indexOf(flag);
    assertTrue(i >= 0 && i + 1 < cmd.size(), flag + " in " + cmd);
    return cmd.get(i + 1);
  }

  @Test
  void bothSidesGetTheSameKeysAndValuesInTheirOwnEncoding() throws IOException {
    List<HttpCall> etcd = VersusEtcd.etcdCalls(Op.PUT, 7);
    List<HttpCall> ours = VersusEtcd.ourCalls(Op.PUT, 7);
    assertEquals(VersusEtcd.SCRIPT_OPS, etcd.size());
    for (int i = 0; i < etcd.size(); i++) {
      JsonNode body = MAPPER.readTree(etcd.get(i).body());
      assertEquals("/v3/kv/put", etcd.get(i).path());
      assertEquals("PUT", ours.get(i).method());
      assertEquals(ours.get(i).path(), "/kv/" + decode(body.path("key").asText()));
      assertEquals(ours.get(i).body(), decode(body.path("value").asText()));
      assertEquals(KvWorkload.VALUE_BYTES, ours.get(i).body().length());
    }
    HttpCall sEtcd = VersusEtcd.etcdCalls(Op.SERIALIZABLE_GET, 7).get(0);
    HttpCall lEtcd = VersusEtcd.etcdCalls(Op.LINEARIZABLE_GET, 7).get(0);
    assertTrue(MAPPER.readTree(sEtcd.body()).path("serializable").asBoolean());
    assertFalse(MAPPER.readTree(lEtcd.body()).has("serializable"), "etcd's default range is linearizable");
    assertEquals("/v3/kv/range", lEtcd.path());
    HttpCall lOurs = VersusEtcd.ourCalls(Op.LINEARIZABLE_GET, 7).get(0);
    assertEquals("GET", lOurs.method());
    assertEquals("/kv/" + decode(MAPPER.readTree(lEtcd.body()).path("key").asText()), lOurs.path());
    assertTrue(VersusEtcd.ourCalls(Op.SERIALIZABLE_GET, 7).get(0).path().endsWith("?consistency=serializable"));
  }

  @Test
  void thePreloadCoversEveryKeyAGetOfTheRunReads() {
    List<Integer> connections = List.of(1, 16, 256);
    java.util.Set<String> preloaded = new java.util.HashSet<>(VersusEtcd.readKeys(connections, 3));
    for (int n : connections) {
      for (Op op : List.of(Op.LINEARIZABLE_GET, Op.SERIALIZABLE_GET)) {
        for (HttpCall c : VersusEtcd.ourCalls(op, 3 + n)) {
          String key = c.path().substring("/kv/".length()).replace("?consistency=serializable", "");
          assertTrue(preloaded.contains(key), key);
        }
      }
    }
    assertTrue(preloaded.size() < KvWorkload.KEYS, "only what is read: " + preloaded.size());
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  @Test
  void wrkCommandAndItsResultLine() throws IOException {
    List<String> cmd = Wrk.command(Path.of("/usr/bin/wrk"), URI.create("http://127.0.0.1:9"), Path.of("s.lua"), 256, 10);
    assertEquals(List.of("/usr/bin/wrk", "-t2", "-c256", "-d10s", "--timeout", "10s", "-s", "s.lua", "http://127.0.0.1:9"), cmd);
    assertEquals("-t1", Wrk.command(Path.of("wrk"), URI.create("http://h"), Path.of("s"), 1, 1).get(1));
    assertThrows(IllegalArgumentException.class, () -> Wrk.command(Path.of("wrk"), URI.create("http://h"), Path.of("s"), 0, 1));
    Wrk.Run r = Wrk.parse("Running 10s test\n  123 requests\n" + Wrk.MARKER
        + "{\"requests\":20000,\"duration_us\":10000000,\"connect\":0,\"read\":1,\"write\":0,\"status\":4,\"timeout\":2,"
        + "\"p50_us\":1500,\"p99_us\":9000,\"p999_us\":12000,\"max_us\":30000}\n");
    assertEquals(20000, r.requests());
    assertEquals(10.0, r.seconds(), 1e-9);
    assertEquals(4, r.statusErrors());
    assertEquals(3, r.socketErrors());
    assertEquals(7, r.errors());
    assertEquals(1999.6, r.okPerSecond(), 1e-9);
    assertEquals(1.5, r.p50Ms(), 1e-9);
    assertEquals(9.0, r.p99Ms(), 1e-9);
    assertEquals(12.0, r.p999Ms(), 1e-9);
    assertThrows(IOException.class, () -> Wrk.parse("wrk: connection refused"));
  }

  @Test
  void scriptQuotesBodiesAsLuaStrings() {
    String s = Wrk.script(List.of(new HttpCall("POST", "/v3/kv/put", "application/json", "{\"key\":\"a\\b\"}"),
        HttpCall.get("/kv/x")));
    assertTrue(s.contains("{\"POST\", \"/v3/kv/put\", \"application/json\", \"{\\\"key\\\":\\\"a\\\\b\\\"}\"},"), s);
    assertTrue(s.contains("{\"GET\", \"/kv/x\", nil, nil},"), s);
    assertTrue(s.contains("function done(summary, latency, requests)"));
    assertThrows(IllegalArgumentException.class, () -> Wrk.script(List.of()));
  }

  @Test
  void missingToolsAreNamedWithHowToInstallThem() {
    VersusEtcd.MissingTool e = assertThrows(VersusEtcd.MissingTool.class, () -> VersusEtcd.requireTools("/nonexistent-dir"));
    assertTrue(e.getMessage().startsWith("etcd and wrk not found on PATH"), e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install -y etcd-server wrk"), e.getMessage());
  }
}
