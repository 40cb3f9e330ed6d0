package bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import journal.JournalCounters;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import node.ShardAdmin;
import node.ShardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.ShardMapping;
import shardkv.ShardStatus;

/**
 * The migration phase of {@code bench shardkv --migrate}, on the cluster {@link ShardKvBench} has
 * just measured: one shard is pre-loaded with {@code preloadBytes} (so its pull takes a while), the
 * kv load runs for a warm-up and a baseline window, then the controller moves that shard to another
 * group, and the load goes on until the new owner serves it and has been told the old owner deleted
 * its copy (its status back to SERVING), and for as long again after (at least 1 s, at most the
 * baseline), so the noise of the machine shows next to the move's effect. Throughput and latency of the shards that do not move are
 * compared between the baseline window and the window the move was in flight.
 *
 * <p>The non-moving shards and the moving one get separate closed-loop clients: with one set of
 * clients drawing keys from every shard, each client would soon block on the moving shard (it
 * answers nothing until the new owner serves it) and the non-moving throughput would fall because
 * the clients wait, not because the groups are slower. {@code max(1, clients / nShards)} clients
 * (the moving shard's share of the keys) load the moving shard, the others the rest.
 */
public final class ShardMoveBench {
  private static final Logger LOG = LoggerFactory.getLogger(ShardMoveBench.class);
  /** Pre-loaded values are this big: few writes for many bytes, well below a pull chunk (64 KiB). */
  static final int PRELOAD_VALUE_BYTES = 16 * 1024;
  private static final int PRELOAD_IN_FLIGHT = 8;
  private static final Duration POLL = Duration.ofMillis(100);
  /**
   * The shortest window after the move (it is as long as the move, at most the baseline): the load
   * after it tells how much of a before/during difference is the machine's noise, not the move.
   */
  private static final Duration MIN_AFTER = Duration.ofSeconds(1);
  private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(180);
  /**
   * Added to the warm-up before the baseline: right after the pre-load the journals' fsyncs also
   * write out its ~100 MB of dirty pages (ext4 orders data before the commit an fsync waits for), and
   * a baseline taken then was slower than the load after the move in every run (mean fsync 2.6-3.1
   * ms against 1.2-1.7 ms after).
   */
  static final Duration PRELOAD_SETTLE = Duration.ofSeconds(5);

  private ShardMoveBench() {}

  /** Which shard moves from which group to which. */
  public record Plan(int shard, int fromGid, int toGid) {}

  /** What the operations of one set of shards did in one window. */
  public record Window(double seconds, long ops, long puts, long errors, Latencies all, Latencies putLatencies) {
    public double opsPerSecond() {
      return seconds <= 0 ? 0 : ops / seconds;
    }

    public double putsPerSecond() {
      return seconds <= 0 ? 0 : puts / seconds;
    }
  }

  /**
   * What the move did: the plan, the bytes pre-loaded, the seconds from the Move until the new owner
   * first served the shard ({@code servedSeconds}) and until it was done ({@code moveSeconds}), the
   * non-moving and moving shards' baseline and in-flight windows.
   */
  public record Result(Plan plan, long preloadBytes, int nonMovingClients, int movingClients, double servedSeconds,
      double moveSeconds, Window nonMovingBefore, Window nonMovingDuring, Window nonMovingAfter, Window movingBefore,
      Window movingDuring, Window movingAfter, SortedMap<Integer, Double> nonMovingRatioPerGroup,
      Map<String, Object> usage) {

    /** Non-moving operations per second during the move over the baseline's. */
    public double nonMovingRatio() {
      return ratio(nonMovingDuring.opsPerSecond(), nonMovingBefore.opsPerSecond());
    }

    /** The same for Puts only (issue 11's target: at least 0.8). */
    public double nonMovingPutRatio() {
      return ratio(nonMovingDuring.putsPerSecond(), nonMovingBefore.putsPerSecond());
    }

    static double ratio(double during, double before) {
      return before == 0 ? 0 : Math.round(during / before * 1000) / 1000.0;
    }

    /** The {@code migration} object of the JSON line. */
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("shard", plan.shard());
      m.put("from_gid", plan.fromGid());
      m.put("to_gid", plan.toGid());
      m.put("preload_bytes", preloadBytes);
      m.put("served_s", round3(servedSeconds));
      m.put("move_s", round3(moveSeconds));
      m.put("baseline_s", round3(nonMovingBefore.seconds()));
      m.put("non_moving_clients", nonMovingClients);
      m.put("non_moving_ops_per_s_before", Math.round(nonMovingBefore.opsPerSecond()));
      m.put("non_moving_ops_per_s_during", Math.round(nonMovingDuring.opsPerSecond()));
      m.put("non_moving_ops_per_s_after", Math.round(nonMovingAfter.opsPerSecond()));
      m.put("non_moving_ratio", nonMovingRatio());
      m.put("non_moving_put_ratio", nonMovingPutRatio());
      m.put("non_moving_ratio_per_group", nonMovingRatioPerGroup);
      m.put("non_moving_p99_ms_before", nonMovingBefore.all().summary().get("p99_ms"));
      m.put("non_moving_p99_ms_during", nonMovingDuring.all().summary().get("p99_ms"));
      m.put("non_moving_put_p99_ms_before", nonMovingBefore.putLatencies().summary().get("p99_ms"));
      m.put("non_moving_put_p99_ms_during", nonMovingDuring.putLatencies().summary().get("p99_ms"));
      m.put("non_moving_p99_ms_after", nonMovingAfter.all().summary().get("p99_ms"));
      m.put("non_moving_errors", nonMovingBefore.errors() + nonMovingDuring.errors() + nonMovingAfter.errors());
      m.put("moving_clients", movingClients);
      m.put("moving_shard_ops_before", movingBefore.ops());
      m.put("moving_shard_ops_during", movingDuring.ops());
      m.put("moving_shard_p99_ms_before", movingBefore.all().summary().get("p99_ms"));
      m.put("moving_shard_p99_ms_during", movingDuring.all().summary().get("p99_ms"));
      m.put("moving_shard_max_ms_during", movingDuring.all().summary().get("max_ms"));
      m.put("moving_shard_ops_after", movingAfter.ops());
      m.put("moving_shard_errors", movingBefore.errors() + movingDuring.errors() + movingAfter.errors());
      m.put("usage", usage);
      return m;
    }

    private static double round3(double s) {
      return Math.round(s * 1000) / 1000.0;
    }
  }

  /**
   * The shard to move: the lowest of the group holding most shards (lowest gid on a tie), to the
   * group holding fewest (another one); refuses a layout of fewer than two groups.
   */
  static Plan plan(ShardConfig layout) {
    if (layout.groups().size() < 2)
      throw new IllegalArgumentException("a shard move needs two groups at least, the layout has " + layout.groups().keySet());
    Map<Integer, List<Integer>> held = new LinkedHashMap<>();
    for (int gid : layout.groups().keySet()) held.put(gid, new ArrayList<>());
    for (int s = 0; s < layout.nShards(); s++) held.get(layout.gidOf(s)).add(s);
    int from = -1;
    int to = -1;
    for (Map.Entry<Integer, List<Integer>> e : held.entrySet()) {
      if (from < 0 || e.getValue().size() > held.get(from).size()) from = e.getKey();
    }
    for (Map.Entry<Integer, List<Integer>> e : held.entrySet()) {
      if (e.getKey() != from && (to < 0 || e.getValue().size() < held.get(to).size())) to = e.getKey();
    }
    return new Plan(held.get(from).get(0), from, to);
  }

  /** Workload key numbers of {@code shard} (moving) or of every other shard. */
  static int[] keysOf(ShardMapping mapping, int shard, boolean moving) {
    return IntStream.range(0, KvWorkload.KEYS)
        .filter(i -> (mapping.shardOf(KvWorkload.key(i)) == shard) == moving).toArray();
  }

  /** Runs the phase; {@code layout} is the configuration the cluster serves now. */
  public static Result run(ShardAdmin admin, KvClient client, ShardMapping mapping, ShardConfig layout,
      KvBench.Load load, long preloadBytes, Supplier<Map<String, JournalCounters.Snapshot>> journals) throws Exception {
    if (preloadBytes < 0) throw new IllegalArgumentException("preload bytes must be >= 0, not " + preloadBytes);
    Plan plan = plan(layout);
    long loaded = preload(client, mapping, plan.shard(), preloadBytes);
    LOG.info("bench shardkv: pre-loaded {} bytes into shard {}, moving it {} -> {}", loaded, plan.shard(),
        plan.fromGid(), plan.toGid());
    int moving = Math.max(1, load.clients() / mapping.nShards());
    int nonMoving = Math.max(1, load.clients() - moving);
    List<Loop> loops = new ArrayList<>();
    int[] movingKeys = keysOf(mapping, plan.shard(), true);
    int[] otherKeys = keysOf(mapping, plan.shard(), false);
    for (int i = 0; i < nonMoving + moving; i++) {
      int[] keys = i < nonMoving ? otherKeys : movingKeys;
      loops.add(new Loop(client, mapping, new KvWorkload(load.readsPct(), load.seed() + 1000 + i, keys), i >= nonMoving));
    }
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < loops.size(); i++) {
      Thread t = new Thread(loops.get(i), "bench-shardkv-move-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    try {
      long from = start + load.warmup().plus(PRELOAD_SETTLE).toNanos();
      long moveAt = from + load.measured().toNanos();
      sleepUntil(from);
      ProcessUsage atFrom = ProcessUsage.now(journals);
      sleepUntil(moveAt);
      long moveStart = System.nanoTime();
      ProcessUsage atMove = ProcessUsage.now(journals);
      long[] ends = move(admin, plan);
      long servedAt = ends[0];
      long moveEnd = ends[1];
      ProcessUsage atEnd = ProcessUsage.now(journals);
      long after = Math.max(MIN_AFTER.toNanos(), Math.min(load.measured().toNanos(), moveEnd - moveStart));
      long afterEnd = moveEnd + after;
      sleepUntil(afterEnd);
      ProcessUsage atAfter = ProcessUsage.now(journals);
      Map<String, Object> usage = new LinkedHashMap<>();
      usage.put("before", atFrom.until(atMove, (moveStart - from) / 1e9));
      usage.put("during", atMove.until(atEnd, (moveEnd - moveStart) / 1e9));
      usage.put("after", atEnd.until(atAfter, (afterEnd - moveEnd) / 1e9));
      for (Loop l : loops) l.stop = true;
      for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(30));
      for (Loop l : loops) if (l.failure.get() != null) throw new IllegalStateException("load thread failed", l.failure.get());
      SortedMap<Integer, Double> perGroup = new TreeMap<>();
      for (int gid : layout.groups().keySet()) {
        IntPredicate ofGroup = s -> layout.gidOf(s) == gid;
        perGroup.put(gid, Result.ratio(window(loops, false, moveStart, moveEnd, ofGroup).opsPerSecond(),
            window(loops, false, from, moveStart, ofGroup).opsPerSecond()));
      }
      return new Result(plan, loaded, nonMoving, moving, (servedAt - moveStart) / 1e9, (moveEnd - moveStart) / 1e9,
          window(loops, false, from, moveStart), window(loops, false, moveStart, moveEnd),
          window(loops, false, moveEnd, afterEnd), window(loops, true, from, moveStart),
          window(loops, true, moveStart, moveEnd), window(loops, true, moveEnd, afterEnd), perGroup,
          usage);
    } finally {
      for (Loop l : loops) l.stop = true;
    }
  }

  /**
   * Writes about {@code bytes} in values of {@link #PRELOAD_VALUE_BYTES} to keys of {@code shard}
   * outside the workload's ("key-...N/pad-i" sorts right after a workload key of the shard).
   */
  static long preload(KvClient client, ShardMapping mapping, int shard, long bytes) throws Exception {
    String base = KvWorkload.key(keysOf(mapping, shard, true)[0]);
    char[] v = new char[PRELOAD_VALUE_BYTES];
    Arrays.fill(v, 'p');
    String value = new String(v);
    long n = (bytes + PRELOAD_VALUE_BYTES - 1) / PRELOAD_VALUE_BYTES;
    Semaphore inFlight = new Semaphore(PRELOAD_IN_FLIGHT);
    AtomicReference<Object> failure = new AtomicReference<>();
    List<CompletableFuture<KvReply>> puts = new ArrayList<>();
    for (long i = 0; i < n && failure.get() == null; i++) {
      String key = base + String.format("/pad-%08d", i);
      if (mapping.shardOf(key) != shard)
        throw new IllegalStateException("pre-load key " + key + " falls in shard " + mapping.shardOf(key) + ", not " + shard);
      inFlight.acquire();
      puts.add(client.put(key, value).toCompletableFuture().whenComplete((r, e) -> {
        inFlight.release();
        if (e != null || !r.isResult()) failure.compareAndSet(null, e != null ? e : r);
      }));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(MOVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (failure.get() != null) throw new IllegalStateException("bench shardkv: a pre-load Put failed: " + failure.get());
    return n * PRELOAD_VALUE_BYTES;
  }

  /**
   * The Move, then polls the new owner until it serves the shard (nanoTime, first element) and until
   * its status is SERVING again (second): GCING turns into SERVING only once the old owner deleted its copy.
   */
  private static long[] move(ShardAdmin admin, Plan plan) throws Exception {
    CtrlReply r = admin.move(plan.shard(), plan.toGid()).toCompletableFuture().get(MOVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!(r instanceof CtrlReply.Config c) || c.config().gidOf(plan.shard()) != plan.toGid())
      throw new IllegalStateException("bench shardkv: move " + plan + " answered " + r);
    ShardConfig config = c.config();
    long deadline = System.nanoTime() + MOVE_TIMEOUT.toNanos();
    long servedAt = 0;
    while (true) {
      ShardState s = admin.shardStates(config, List.of(plan.shard())).toCompletableFuture()
          .get(MOVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(0);
      long now = System.nanoTime();
      boolean applied = s.appliedNum() >= config.num();
      if (applied && servedAt == 0 && s.status().map(ShardStatus::serves).orElse(false)) servedAt = now;
      if (applied && s.status().equals(Optional.of(ShardStatus.SERVING))) return new long[] {servedAt, now};
      if (now > deadline) throw new IllegalStateException("bench shardkv: move " + plan + " not done after " + MOVE_TIMEOUT + ": " + s);
      LOG.debug("bench shardkv: shard {} at {}: {}", plan.shard(), config.num(), s);
      Thread.sleep(POLL.toMillis()); // polling the admin API: no event to wait on from here
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
  }

  /** The operations of the moving (or the other) shards' loops that started in {@code [from, to)}. */
  static Window window(List<Loop> loops, boolean moving, long from, long to) {
    return window(loops, moving, from, to, s -> true);
  }

  /** As above, only operations on the shards {@code shardFilter} accepts. */
  static Window window(List<Loop> loops, boolean moving, long from, long to, IntPredicate shardFilter) {
    Latencies all = new Latencies();
    Latencies putLatencies = new Latencies();
    long ops = 0;
    long puts = 0;
    long errors = 0;
    for (Loop l : loops) {
      if (l.moving != moving) continue;
      for (int i = 0; i < l.n; i++) {
        if (l.starts[i] < from || l.starts[i] >= to || !shardFilter.test(l.shards[i])) continue;
        if (!l.ok[i]) {
          errors++;
          continue;
        }
        ops++;
        all.add(l.latencies[i]);
        if (l.put[i]) {
          puts++;
          putLatencies.add(l.latencies[i]);
        }
      }
    }
    return new Window((to - from) / 1e9, ops, puts, errors, all, putLatencies);
  }

  /** One closed-loop client keeping every operation (start, latency, Put or not, result or not) until stopped. */
  static final class Loop implements Runnable {
    final KvClient client;
    final KvWorkload workload;
    final boolean moving;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    volatile boolean stop;
    // Written by this loop's thread only, read after it was joined.
    long[] starts = new long[1024];
    long[] latencies = new long[1024];
    boolean[] put = new boolean[1024];
    boolean[] ok = new boolean[1024];
    int[] shards = new int[1024];
    int n;

    final ShardMapping mapping;

    Loop(KvClient client, ShardMapping mapping, KvWorkload workload, boolean moving) {
      this.mapping = mapping;
      this.client = client;
      this.workload = workload;
      this.moving = moving;
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          KvCommand c = workload.next();
          long start = System.nanoTime();
          KvReply r;
          try {
            r = client.execute(c).toCompletableFuture().get(MOVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            r = KvReply.TIMEOUT;
          }
          record(start, System.nanoTime() - start, mapping.shardOf(c.key()), c instanceof KvCommand.Put, r.isResult());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | RuntimeException e) {
        failure.set(e);
      }
    }

    private void record(long start, long latency, int shard, boolean isPut, boolean isResult) {
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        latencies = Arrays.copyOf(latencies, n * 2);
        put = Arrays.copyOf(put, n * 2);
        ok = Arrays.copyOf(ok, n * 2);
        shards = Arrays.copyOf(shards, n * 2);
      }
      shards[n] = shard;
      starts[n] = start;
      latencies[n] = latency;
      put[n] = isPut;
      ok[n] = isResult;
      n++;
    }
  }
}
