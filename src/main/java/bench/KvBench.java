package bench;

import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import node.KvNode;
import node.NodeSettings;
import node.http.HttpApi;
import node.http.HttpKvClient;
import raft.rsm.ReadConsistency;

/**
 * N closed-loop clients (one thread each) run {@link KvWorkload} against one {@link KvClient} for
 * a warm-up and then a measured window; only operations that start and end inside the window
 * count. Non-result replies (Busy, Timeout, Rejected) count as errors, not as operations.
 */
public final class KvBench {
  private KvBench() {}

  /** What one run measured. */
  public record Result(String target, int clients, double seconds, int readsPct, long errors,
      Latencies gets, Latencies puts) {

    public double opsPerSecond() {
      return (gets.count() + puts.count()) / seconds;
    }

    /** The one JSON line {@code bench kv} prints. */
    public String toJson() {
      return json(fields());
    }

    /** The fields of that line, in order (other benchmarks add theirs). */
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", target);
      m.put("clients", clients);
      m.put("seconds", seconds);
      m.put("reads_pct", readsPct);
      m.put("ops_per_s", Math.round(opsPerSecond()));
      m.put("errors", errors);
      m.put("get", gets.summary());
      m.put("put", puts.summary());
      return m;
    }
  }

  static String json(Map<String, Object> fields) {
    try {
      return new ObjectMapper().writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The load: closed-loop clients, warm-up, measured window, percentage of Gets, workload seed. */
  public record Load(int clients, Duration warmup, Duration measured, int readsPct, long seed,
      ReadConsistency consistency) {
    public Load {
      if (consistency == null) consistency = ReadConsistency.LINEARIZABLE;
    }

    public Load(int clients, Duration warmup, Duration measured, int readsPct, long seed) {
      this(clients, warmup, measured, readsPct, seed, ReadConsistency.LINEARIZABLE);
    }

    public Load at(ReadConsistency level) {
      return new Load(clients, warmup, measured, readsPct, seed, level);
    }
  }

  public static Result run(String target, KvClient client, Load load) throws InterruptedException {
    return run(target, client, load.clients(), load.warmup(), load.measured(), load.readsPct(), load.seed(),
        load.consistency());
  }

  /**
   * The embedded group with lease reads configured (drift bound 0.1), measured at each read level
   * in turn, back to back on the same warm group, through the Java client: one result per level.
   */
  public static List<Result> embeddedLevels(Path data, List<ReadConsistency> levels, Load load) throws Exception {
    ResultFile.emptyDir(data);
    Config config = ConfigFactory.parseString("raftkv.raft.read-lease { enabled = on, max-clock-drift = 0.1 }")
        .withFallback(NodeSettings.load(null)).resolve();
    List<Result> out = new ArrayList<>();
    try (KvNode node = KvNode.start(NodeSettings.nodeSpec(config).asLocal(data), config);
        KvClient client = node.client()) {
      for (ReadConsistency level : levels) out.add(run("embedded-" + level.wireName(), client, load.at(level)));
    }
    return out;
  }

  /**
   * The embedded default (3 replicas in this JVM on fresh LevelDB journals under {@code data},
   * emptied first, fsync on, as {@code bin/raftkv local}), measured through the Java client
   * ({@code target} "embedded") or, with {@code overHttp}, through its HTTP API ("embedded-http").
   */
  public static Result embedded(Path data, boolean overHttp, Duration httpTimeout, Load load) throws Exception {
    ResultFile.emptyDir(data);
    Config config = NodeSettings.load(null);
    try (KvNode node = KvNode.start(NodeSettings.nodeSpec(config).asLocal(data), config)) {
      if (!overHttp) {
        try (KvClient client = node.client()) {
          return run("embedded", client, load);
        }
      }
      ServerBinding binding = HttpApi.start(node.system(), node.client(), "127.0.0.1", 0)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
      try (KvClient client = new HttpKvClient(base, httpTimeout)) {
        return run("embedded-http", client, load);
      }
    }
  }

  /**
   * The embedded default through the Java client, its clients closed loops of callbacks ({@link
   * #runCallbacks}) instead of a thread each: target "embedded-callbacks".
   */
  public static Result embeddedCallbacks(Path data, Load load) throws Exception {
    ResultFile.emptyDir(data);
    Config config = NodeSettings.load(null);
    try (KvNode node = KvNode.start(NodeSettings.nodeSpec(config).asLocal(data), config);
        KvClient client = node.client()) {
      return runCallbacks("embedded-callbacks", client, load);
    }
  }

  /**
   * As {@link #run(String, KvClient, Load)}, but each client is a closed loop without a thread of
   * its own, as {@code bench raft}'s proposers are actors: the next operation starts in the
   * callback of the previous one (on whatever thread completed it), so no load thread has to be
   * woken per operation.
   */
  public static Result runCallbacks(String target, KvClient client, Load load) throws Exception {
    if (load.clients() < 1) throw new IllegalArgumentException("clients must be >= 1");
    long from = System.nanoTime() + load.warmup().toNanos();
    long to = from + load.measured().toNanos();
    List<CallbackLoop> loops = new ArrayList<>();
    for (int i = 0; i < load.clients(); i++) {
      CallbackLoop loop = new CallbackLoop(client, new KvWorkload(load.readsPct(), load.seed() + i), from, to,
          load.consistency());
      loops.add(loop);
      loop.next();
    }
    Latencies gets = new Latencies();
    Latencies puts = new Latencies();
    long errors = 0;
    for (CallbackLoop l : loops) {
      // An operation ends by its deadline (the client's, 10 s by default): give up a while after that.
      l.done.get(Math.max(to - System.nanoTime(), 0) + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
      gets.addAll(l.tally.gets);
      puts.addAll(l.tally.puts);
      errors += l.tally.errors;
    }
    return new Result(target, load.clients(), load.measured().toNanos() / 1e9, load.readsPct(), errors, gets, puts);
  }

  /**
   * One closed-loop client made of callbacks. Its fields are touched by one operation's callback
   * at a time, each after the previous one's (the reply that completes an operation follows the
   * request the previous callback sent), and read once {@code done} completed.
   */
  private static final class CallbackLoop {
    final KvClient client;
    final KvWorkload workload;
    final ReadConsistency consistency;
    final Tally tally;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    CallbackLoop(KvClient client, KvWorkload workload, long from, long to, ReadConsistency consistency) {
      this.client = client;
      this.workload = workload;
      this.consistency = consistency;
      this.tally = new Tally(from, to);
    }

    /** Sends operations until one is left in flight; one that completed at once is counted here (no recursion). */
    void next() {
      while (true) {
        long start = System.nanoTime();
        if (start >= tally.to) {
          done.complete(null);
          return;
        }
        KvCommand c = workload.next();
        CompletableFuture<KvReply> reply = client.execute(c, consistency).toCompletableFuture();
        if (reply.isDone() && !reply.isCompletedExceptionally()) {
          tally.count(c, start, System.nanoTime(), reply.join());
          continue;
        }
        reply.whenComplete((r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
            return;
          }
          tally.count(c, start, System.nanoTime(), r);
          next();
        });
        return;
      }
    }
  }

  /** What one client measured: operations that start and end inside the window [from, to). */
  private static final class Tally {
    final long from;
    final long to;
    final Latencies gets = new Latencies();
    final Latencies puts = new Latencies();
    long errors;

    Tally(long from, long to) {
      this.from = from;
      this.to = to;
    }

    void count(KvCommand c, long start, long end, KvReply r) {
      if (start < from || end > to) return;
      if (!r.isResult()) errors++;
      else if (c instanceof KvCommand.Get) gets.add(end - start);
      else puts.add(end - start);
    }
  }

  public static Result run(String target, KvClient client, int clients, Duration warmup, Duration measured,
      int readsPct, long seed) throws InterruptedException {
    return run(target, client, clients, warmup, measured, readsPct, seed, ReadConsistency.LINEARIZABLE);
  }

  /** As above, Gets at {@code consistency}. */
  public static Result run(String target, KvClient client, int clients, Duration warmup, Duration measured,
      int readsPct, long seed, ReadConsistency consistency) throws InterruptedException {
    if (clients < 1) throw new IllegalArgumentException("clients must be >= 1");
    long from = System.nanoTime() + warmup.toNanos();
    long to = from + measured.toNanos();
    List<Loop> loops = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Loop loop = new Loop(client, new KvWorkload(readsPct, seed + i), from, to, consistency);
      loops.add(loop);
      Thread t = new Thread(loop, "bench-kv-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    Latencies gets = new Latencies();
    Latencies puts = new Latencies();
    long errors = 0;
    for (Loop l : loops) {
      if (l.failure != null) throw new IllegalStateException("load thread failed", l.failure);
      gets.addAll(l.tally.gets);
      puts.addAll(l.tally.puts);
      errors += l.tally.errors;
    }
    return new Result(target, clients, measured.toNanos() / 1e9, readsPct, errors, gets, puts);
  }

  /** One closed-loop client: the next operation starts when the previous one answered. */
  private static final class Loop implements Runnable {
    final KvClient client;
    final KvWorkload workload;
    final ReadConsistency consistency;
    final Tally tally;
    Throwable failure;

    Loop(KvClient client, KvWorkload workload, long from, long to, ReadConsistency consistency) {
      this.consistency = consistency;
      this.client = client;
      this.workload = workload;
      this.tally = new Tally(from, to);
    }

    @Override
    public void run() {
      try {
        long to = tally.to;
        while (System.nanoTime() < to) {
          KvCommand c = workload.next();
          long start = System.nanoTime();
          KvReply r;
          try {
            // A stuck call must not outlive the window by much: give up a while after it ends.
            long waitNanos = Math.max(to - start, 0) + TimeUnit.SECONDS.toNanos(5);
            r = client.execute(c, consistency).toCompletableFuture().get(waitNanos, TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            r = KvReply.TIMEOUT;
          }
          tally.count(c, start, System.nanoTime(), r);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | RuntimeException e) {
        failure = e;
      }
    }
  }
}
