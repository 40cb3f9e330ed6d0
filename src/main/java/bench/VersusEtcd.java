package bench;

import bench.VersusReport.Op;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import node.http.HttpKvClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench versus-etcd}: a 3-member etcd on loopback and our {@code raftkv local} group, both
 * started fresh under one temp directory, both preloaded with every key the gets will read,
 * then for each connection count and operation (put, linearizable get, serializable get) a
 * warm-up and a measured wrk run against etcd, then the same against ours, back to back; one
 * {@link VersusReport}. Installs nothing: the etcd and wrk binaries must be on PATH (or given).
 * Every process it starts is stopped and the temp directory deleted at the end, on failure, and
 * from a shutdown hook on Ctrl-C.
 */
public final class VersusEtcd {
  /** Distinct operations in a generated script (cycled by wrk; keys drawn from all 10,000). */
  static final int SCRIPT_OPS = 2048;
  public static final String INSTALL_HINT =
      "install them (Debian 12: apt-get install -y etcd-server wrk, giving etcd 3.4.23 and wrk 4.1.0)";

  /** The run's settings; {@code seconds} and {@code warmup} per cell and side, whole seconds. */
  public record Options(Path etcd, Path wrk, int seconds, int warmup, List<Integer> connections, long seed,
      Duration startTimeout) {
    public Options {
      if (seconds < 1) throw new IllegalArgumentException("seconds must be >= 1");
      if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0");
      if (connections.isEmpty() || connections.stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("connections must be >= 1: " + connections);
      }
      connections = List.copyOf(connections);
    }
  }

  /** A binary the benchmark needs and does not install. */
  public static final class MissingTool extends Exception {
    public MissingTool(String names) {
      super(names + " not found on PATH; this benchmark installs nothing: " + INSTALL_HINT);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(VersusEtcd.class);

  private VersusEtcd() {}

  /** {@code name} in a directory of {@code path} (a PATH value), if it is there and executable. */
  public static Optional<Path> onPath(String name, String path) {
    if (path == null) return Optional.empty();
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** etcd and wrk from {@code path} (a PATH value), or MissingTool naming what is missing. */
  public static Path[] requireTools(String path) throws MissingTool {
    Optional<Path> etcd = onPath("etcd", path);
    Optional<Path> wrk = onPath("wrk", path);
    if (etcd.isEmpty() || wrk.isEmpty()) {
      throw new MissingTool(etcd.isEmpty() && wrk.isEmpty() ? "etcd and wrk" : etcd.isEmpty() ? "etcd" : "wrk");
    }
    return new Path[] {etcd.get(), wrk.get()};
  }

  public static VersusReport run(Options o) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("raftkv-versus-etcd-");
    List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    Thread hook = new Thread(() -> cleanUp(started, dir), "versus-etcd-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Map<String, Object> run = new LinkedHashMap<>();
      Wrk wrk = new Wrk(o.wrk(), dir);
      run.put("date", Instant.now().toString());
      run.put("load_generator", wrk.version() + ", closed loop, keep-alive, one request per connection at a time");
      run.put("etcd_version", etcdVersion(o.etcd()));
      run.put("workload", KvWorkload.KEY_BYTES + " B keys over " + KvWorkload.KEYS + ", " + KvWorkload.VALUE_BYTES
          + " B values, every key a get reads preloaded; etcd through the leader's JSON gateway, ours through raftkv local's HTTP API; fsync on");
      run.put("seconds", o.seconds());
      run.put("warmup_seconds", o.warmup());
      run.put("connections", o.connections());
      Map<String, Object> machine = new LinkedHashMap<>();
      machine.put("cores", Runtime.getRuntime().availableProcessors());
      machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
      machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      machine.put("load_avg_start", loadAverage());
      run.put("machine", machine);

      // Both sides start and are preloaded at the same time (none of it is measured); both are
      // waited for, so a failure of one never leaves the other starting unseen by the clean-up.
      List<String> readKeys = readKeys(o.connections(), o.seed());
      run.put("preloaded_keys", readKeys.size());
      FutureTask<EtcdCluster> etcdSide = new FutureTask<>(() -> {
        long t0 = System.nanoTime();
        EtcdCluster c = EtcdCluster.start(o.etcd(), dir.resolve("etcd"), o.startTimeout());
        started.add(c);
        preload(new EtcdKvClient(c.leader(), Duration.ofSeconds(30)), readKeys, o.seed());
        LOG.info("etcd: leader {}, started and preloaded in {} ms", c.leader(), (System.nanoTime() - t0) / 1_000_000);
        return c;
      });
      Thread etcdStarter = new Thread(etcdSide, "versus-etcd-start-etcd");
      etcdStarter.start();
      OurLocalGroup ours;
      try {
        long t0 = System.nanoTime();
        ours = OurLocalGroup.start(dir.resolve("ours"), o.startTimeout());
        started.add(ours);
        preload(new HttpKvClient(ours.base(), Duration.ofSeconds(30)), readKeys, o.seed());
        LOG.info("raftkv local: {}, started and preloaded in {} ms", ours.base(), (System.nanoTime() - t0) / 1_000_000);
      } finally {
        etcdStarter.join();
      }
      EtcdCluster etcd;
      try {
        etcd = etcdSide.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) throw io;
        throw new IOException("etcd did not start", e.getCause());
      }
      boolean oursSerializable = ours.servesSerializable();

      List<VersusReport.Cell> cells = new ArrayList<>();
      for (int n : o.connections()) {
        for (Op op : Op.values()) {
          Wrk.Run e = measure(wrk, etcd.leader(), etcdCalls(op, o.seed() + n), n, o);
          List<HttpCall> ourCalls = op == Op.SERIALIZABLE_GET && !oursSerializable ? null : ourCalls(op, o.seed() + n);
          Wrk.Run u = ourCalls == null ? null : measure(wrk, ours.base(), ourCalls, n, o);
          cells.add(new VersusReport.Cell(op, n, e, u));
          LOG.info("{} at {} connections: etcd {} req/s, ours {}", op.json, n, Math.round(e.okPerSecond()),
              u == null ? "unsupported" : Math.round(u.okPerSecond()) + " req/s");
        }
      }
      machine.put("load_avg_end", loadAverage());
      return new VersusReport(run, cells);
    } finally {
      cleanUp(started, dir);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway; cleanUp is idempotent
      }
    }
  }

  private static Wrk.Run measure(Wrk wrk, URI base, List<HttpCall> calls, int n, Options o)
      throws IOException, InterruptedException {
    if (o.warmup() > 0) wrk.run(base, calls, n, o.warmup());
    return wrk.run(base, calls, n, o.seconds());
  }

  /** The requests of {@code op} against etcd's v3 JSON gateway (keys and values from KvWorkload). */
  static List<HttpCall> etcdCalls(Op op, long seed) {
    KvWorkload w = new KvWorkload(op == Op.PUT ? 0 : 100, seed);
    return Wrk.take(SCRIPT_OPS, () -> {
      KvCommand c = w.next();
      if (c instanceof KvCommand.Put p) {
        return new HttpCall("POST", "/v3/kv/put", "application/json", EtcdKvClient.putBody(p.key(), p.value()));
      }
      return new HttpCall("POST", "/v3/kv/range", "application/json",
          EtcdKvClient.rangeBody(c.key(), op == Op.SERIALIZABLE_GET));
    });
  }

  /** The same operations (same keys and values for the same seed) against our HTTP API. */
  static List<HttpCall> ourCalls(Op op, long seed) {
    KvWorkload w = new KvWorkload(op == Op.PUT ? 0 : 100, seed);
    return Wrk.take(SCRIPT_OPS, () -> {
      KvCommand c = w.next();
      if (c instanceof KvCommand.Put p) return new HttpCall("PUT", "/kv/" + p.key(), "text/plain", p.value());
      return HttpCall.get("/kv/" + c.key() + (op == Op.SERIALIZABLE_GET ? "?consistency=serializable" : ""));
    });
  }

  /** Every key a get of this run reads (the get scripts of each connection count), sorted. */
  static List<String> readKeys(List<Integer> connections, long seed) {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    for (int n : connections) {
      KvWorkload w = new KvWorkload(100, seed + n);
      for (int i = 0; i < SCRIPT_OPS; i++) keys.add(w.next().key());
    }
    return List.copyOf(keys);
  }

  /**
   * Puts each of {@code keys} once (256 in flight) so that every get finds a value on both sides,
   * never a 404 or an empty range (same keys, same values on both). Not measured, so
   * a put answered Busy/Timeout is retried (a put is idempotent), up to 5 times; fails naming the
   * last reply if any key is still not written.
   */
  static void preload(KvClient client, List<String> keys, long seed) throws IOException, InterruptedException {
    KvWorkload values = new KvWorkload(0, seed);
    Semaphore inFlight = new Semaphore(256);
    AtomicLong failed = new AtomicLong();
    AtomicReference<KvReply> lastFailure = new AtomicReference<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    try (client) {
      for (String key : keys) {
        inFlight.acquire();
        all.add(put(client, new KvCommand.Put(key, values.value()), 5).whenComplete((r, err) -> {
          if (err != null || !r.isResult()) {
            failed.incrementAndGet();
            lastFailure.set(r);
          }
          inFlight.release();
        }));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("preload did not finish", e);
    }
    if (failed.get() > 0) {
      throw new IOException("preload: " + failed.get() + " of " + keys.size() + " puts failed 5 times, the last with " + lastFailure.get());
    }
  }

  private static CompletableFuture<KvReply> put(KvClient client, KvCommand.Put put, int attempts) {
    return client.execute(put).toCompletableFuture().thenCompose(r -> r.isResult() || attempts <= 1
        ? CompletableFuture.completedFuture(r) : put(client, put, attempts - 1));
  }

  static String etcdVersion(Path etcd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(etcd.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.lines().filter(l -> l.startsWith("etcd Version:")).map(l -> l.substring("etcd Version:".length()).trim())
        .findFirst().orElse("unknown");
  }

  /** The 1, 5 and 15 minute load averages (/proc/loadavg), or the 1-minute one the JVM reports. */
  static List<Double> loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    } catch (IOException | RuntimeException e) {
      return List.of(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static synchronized void cleanUp(List<AutoCloseable> started, Path dir) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed (stopping the rest)", started.get(i), e);
      }
    }
    started.clear();
    try {
      ResultFile.emptyDir(dir);
    } catch (IOException e) {
      LOG.warn("could not delete {}", dir, e);
    }
  }
}
