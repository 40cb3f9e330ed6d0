package bench;

import bench.VersusReport.Op;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench cold-start}: how fast a freshly started {@code raftkv local} serves in its first
 * seconds against the same process warm. For each JVM variant (the first is what
 * {@code bin/raftkv} ships): start the child JVM on fresh LevelDB journals, time launch to ready
 * (leader printed and HTTP answering), then with wrk at once a measured "cold" window of puts, an
 * unmeasured warm-up, and a measured "warm" window, all the same workload as versus-etcd's puts.
 * The ratio cold/warm is issue 12's cold-start target (at least 0.5). Variants run one after the
 * other, so their ratios are comparable within one run; absolute rates are not across runs.
 */
public final class ColdStart {
  /** The target: the first window after ready at least this fraction of the warm rate. */
  static final double NEED = 0.5;
  private static final Logger LOG = LoggerFactory.getLogger(ColdStart.class);

  /** A named set of extra JVM options for the child (empty: as shipped). */
  public record Variant(String name, List<String> jvmOptions) {
    public Variant {
      if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
        throw new IllegalArgumentException("a variant's name is a word (letters, digits, - and _), not '" + name + "'");
      }
      jvmOptions = List.copyOf(jvmOptions);
    }

    public static final Variant SHIPPED = new Variant("shipped", List.of());

    /** {@code name=opt1 opt2 ...} (options separated by spaces). */
    public static Variant parse(String s) {
      int eq = s.indexOf('=');
      if (eq <= 0 || s.startsWith("-")) throw new IllegalArgumentException("a variant is NAME=JVM_OPTIONS, not '" + s + "'");
      String opts = s.substring(eq + 1).trim();
      return new Variant(s.substring(0, eq).trim(), opts.isEmpty() ? List.of() : List.of(opts.split("\\s+")));
    }
  }

  public record Options(Path wrk, int connections, int seconds, int warmSeconds, List<Variant> variants, long seed,
      Duration startTimeout) {
    public Options {
      if (connections < 1) throw new IllegalArgumentException("connections must be >= 1");
      if (seconds < 1 || warmSeconds < 0) throw new IllegalArgumentException("seconds must be >= 1 and warm >= 0");
      if (variants.isEmpty()) throw new IllegalArgumentException("no variant to run");
      variants = List.copyOf(variants);
    }
  }

  /** One variant's run: launch-to-ready seconds and the two measured windows. */
  public record Measured(Variant variant, double readySeconds, Wrk.Run cold, Wrk.Run warm) {
    public double ratio() {
      return warm.okPerSecond() == 0 ? 0 : cold.okPerSecond() / warm.okPerSecond();
    }

    /** Met only if neither window had an error. */
    public boolean met() {
      return ratio() >= NEED && cold.errors() == 0 && warm.errors() == 0;
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("variant", variant.name());
      m.put("jvm_options", variant.jvmOptions());
      m.put("ready_s", Math.round(readySeconds * 1000) / 1000.0);
      m.put("cold", VersusReport.side(cold));
      m.put("warm", VersusReport.side(warm));
      m.put("cold_over_warm", Math.round(ratio() * 1000) / 1000.0);
      m.put("met", met());
      return m;
    }
  }

  /** The run's settings and machine, and every variant's result, as one JSON line. */
  public record Report(Map<String, Object> run, List<Measured> variants) {
    public String toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bench", "cold-start");
      m.putAll(run);
      m.put("variants", variants.stream().map(Measured::toMap).toList());
      Measured shipped = variants.get(0);
      Map<String, Object> target = new LinkedHashMap<>();
      target.put("need", NEED);
      target.put("variant", shipped.variant().name());
      target.put("value", Math.round(shipped.ratio() * 1000) / 1000.0);
      target.put("met", shipped.met());
      m.put("target", target);
      try {
        return new ObjectMapper().writeValueAsString(m);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private ColdStart() {}

  public static Report run(Options o) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("raftkv-cold-start-");
    try {
      Wrk wrk = new Wrk(o.wrk(), dir);
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("date", Instant.now().toString());
      run.put("load_generator", wrk.version());
      run.put("workload", "puts: " + KvWorkload.KEY_BYTES + " B keys over " + KvWorkload.KEYS + ", "
          + KvWorkload.VALUE_BYTES + " B values, closed loop, fsync on, through raftkv local's HTTP API");
      run.put("connections", o.connections());
      run.put("seconds", o.seconds());
      run.put("warm_seconds", o.warmSeconds());
      Map<String, Object> machine = new LinkedHashMap<>();
      machine.put("cores", Runtime.getRuntime().availableProcessors());
      machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      machine.put("load_avg_start", VersusEtcd.loadAverage());
      run.put("machine", machine);
      List<HttpCall> puts = VersusEtcd.ourCalls(Op.PUT, o.seed());
      List<Measured> results = new ArrayList<>();
      for (Variant v : o.variants()) {
        results.add(measure(wrk, dir.resolve(v.name()), v, puts, o));
      }
      machine.put("load_avg_end", VersusEtcd.loadAverage());
      return new Report(run, results);
    } finally {
      ResultFile.emptyDir(dir);
    }
  }

  private static Measured measure(Wrk wrk, Path dir, Variant v, List<HttpCall> puts, Options o)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    try (OurLocalGroup group = OurLocalGroup.start(dir, o.startTimeout(), v.jvmOptions())) {
      double ready = (System.nanoTime() - t0) / 1e9;
      Wrk.Run cold = wrk.run(group.base(), puts, o.connections(), o.seconds());
      if (o.warmSeconds() > 0) wrk.run(group.base(), puts, o.connections(), o.warmSeconds());
      Wrk.Run warm = wrk.run(group.base(), puts, o.connections(), o.seconds());
      Measured m = new Measured(v, ready, cold, warm);
      LOG.info("{}: ready in {} s, cold {} req/s, warm {} req/s, ratio {}", v.name(), Math.round(ready * 10) / 10.0,
          Math.round(cold.okPerSecond()), Math.round(warm.okPerSecond()), Math.round(m.ratio() * 100) / 100.0);
      return m;
    }
  }
}
