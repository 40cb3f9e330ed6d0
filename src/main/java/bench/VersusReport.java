package bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@code bench versus-etcd} run and its one JSON line: per cell (operation x
 * connections) both sides, their ratios, and issue 12's targets. Every ratio is oriented so that
 * above 1 means ours is better: throughput ours/etcd, latency etcd/ours. A side that does not
 * serve an operation (ours has no serializable read yet) is null, its ratios null. A target is
 * met only when both cells were measured, ours had no errors and the ratio reaches it; it is null
 * when its cell was not run.
 */
public record VersusReport(Map<String, Object> run, List<Cell> cells) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The operations, by their JSON name. */
  public enum Op {
    PUT("put"), LINEARIZABLE_GET("linearizable_get"), SERIALIZABLE_GET("serializable_get");

    public final String json;

    Op(String json) {
      this.json = json;
    }
  }

  /** One cell; {@code ours} (or {@code etcd}) is null when that side does not serve the operation. */
  public record Cell(Op op, int connections, Wrk.Run etcd, Wrk.Run ours) {
    /** ours/etcd successful requests per second; null unless both measured and etcd served some. */
    public Double throughputRatio() {
      if (etcd == null || ours == null || etcd.okPerSecond() == 0) return null;
      return ours.okPerSecond() / etcd.okPerSecond();
    }

    /** etcd's p99 over ours (above 1: ours has the shorter tail). */
    public Double p99Ratio() {
      return latencyRatio(etcd == null ? null : etcd.p99Ms(), ours == null ? null : ours.p99Ms());
    }

    public Double p50Ratio() {
      return latencyRatio(etcd == null ? null : etcd.p50Ms(), ours == null ? null : ours.p50Ms());
    }

    private static Double latencyRatio(Double etcdMs, Double oursMs) {
      if (etcdMs == null || oursMs == null || oursMs == 0) return null;
      return etcdMs / oursMs;
    }
  }

  /** The cell of {@code op} at {@code connections}, or null if it was not run. */
  public Cell cell(Op op, int connections) {
    for (Cell c : cells) if (c.op() == op && c.connections() == connections) return c;
    return null;
  }

  /**
   * Issue 12's targets: {@code name -> {need, value, met}}; throughput {@code value} is ours/etcd,
   * p99 {@code value} etcd/ours (need 1: ours no worse).
   */
  public Map<String, Map<String, Object>> targets() {
    Map<String, Map<String, Object>> t = new LinkedHashMap<>();
    throughput(t, "writes_3x_at_256", Op.PUT, 256, 3);
    throughput(t, "writes_2x_at_16", Op.PUT, 16, 2);
    throughput(t, "writes_2x_at_1", Op.PUT, 1, 2);
    throughput(t, "linearizable_reads_10x_at_256", Op.LINEARIZABLE_GET, 256, 10);
    throughput(t, "linearizable_reads_2x_at_1", Op.LINEARIZABLE_GET, 1, 2);
    for (Op op : List.of(Op.PUT, Op.LINEARIZABLE_GET)) {
      for (int n : List.of(1, 16, 256)) {
        Cell c = cell(op, n);
        target(t, "p99_" + op.json + "_no_worse_at_" + n, 1, c, c == null ? null : c.p99Ratio());
      }
    }
    return t;
  }

  private void throughput(Map<String, Map<String, Object>> t, String name, Op op, int n, double need) {
    Cell c = cell(op, n);
    target(t, name, need, c, c == null ? null : c.throughputRatio());
  }

  private static void target(Map<String, Map<String, Object>> t, String name, double need, Cell c, Double value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("need", need);
    m.put("value", rounded(value));
    m.put("met", c == null ? null : value != null && c.ours().errors() == 0 && value >= need);
    t.put(name, m);
  }

  /** All targets whose cells were run are met (false if none was run). */
  public boolean allTargetsMet() {
    List<Object> met = new ArrayList<>();
    targets().values().forEach(m -> met.add(m.get("met")));
    return met.stream().anyMatch(Boolean.TRUE::equals) && met.stream().noneMatch(Boolean.FALSE::equals);
  }

  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bench", "versus-etcd");
    m.putAll(run);
    List<Map<String, Object>> cs = new ArrayList<>();
    for (Cell c : cells) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("op", c.op().json);
      x.put("connections", c.connections());
      x.put("etcd", side(c.etcd()));
      x.put("ours", side(c.ours()));
      x.put("rps_ratio_ours_over_etcd", rounded(c.throughputRatio()));
      x.put("p50_ratio_etcd_over_ours", rounded(c.p50Ratio()));
      x.put("p99_ratio_etcd_over_ours", rounded(c.p99Ratio()));
      cs.add(x);
    }
    m.put("cells", cs);
    m.put("targets", targets());
    m.put("all_targets_met", allTargetsMet());
    try {
      return MAPPER.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One side of a cell; null (JSON null: "unsupported") when that side does not serve the op.
   * {@code errors} = {@code status_errors} (HTTP status above 399) + {@code socket_errors}
   * (connect, read, write, 10 s timeout).
   */
  static Map<String, Object> side(Wrk.Run r) {
    if (r == null) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rps", Math.round(r.okPerSecond()));
    m.put("requests", r.requests());
    m.put("errors", r.errors());
    m.put("status_errors", r.statusErrors());
    m.put("socket_errors", r.socketErrors());
    m.put("p50_ms", rounded(r.p50Ms()));
    m.put("p99_ms", rounded(r.p99Ms()));
    m.put("p999_ms", rounded(r.p999Ms()));
    m.put("max_ms", rounded(r.maxMs()));
    return m;
  }

  private static Double rounded(Double x) {
    return x == null ? null : Math.round(x * 1000) / 1000.0;
  }
}
