package cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;

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
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", target);
      m.put("clients", clients);
      m.put("seconds", seconds);
      m.put("reads_pct", readsPct);
      m.put("ops_per_s", Math.round(opsPerSecond()));
      m.put("errors", errors);
      m.put("get", stats(gets));
      m.put("put", stats(puts));
      try {
        return new ObjectMapper().writeValueAsString(m);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    private static Map<String, Object> stats(Latencies l) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", l.count());
      m.put("p50_ms", l.count() == 0 ? null : round(l.percentileMs(0.50)));
      m.put("p99_ms", l.count() == 0 ? null : round(l.percentileMs(0.99)));
      return m;
    }

    private static double round(double ms) {
      return Math.round(ms * 1000) / 1000.0;
    }
  }

  public static Result run(String target, KvClient client, int clients, Duration warmup, Duration measured,
      int readsPct, long seed) throws InterruptedException {
    if (clients < 1) throw new IllegalArgumentException("clients must be >= 1");
    long from = System.nanoTime() + warmup.toNanos();
    long to = from + measured.toNanos();
    List<Loop> loops = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Loop loop = new Loop(client, new KvWorkload(readsPct, seed + i), from, to);
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
      gets.addAll(l.gets);
      puts.addAll(l.puts);
      errors += l.errors;
    }
    return new Result(target, clients, measured.toNanos() / 1e9, readsPct, errors, gets, puts);
  }

  /** One closed-loop client: the next operation starts when the previous one answered. */
  private static final class Loop implements Runnable {
    final KvClient client;
    final KvWorkload workload;
    final long from;
    final long to;
    final Latencies gets = new Latencies();
    final Latencies puts = new Latencies();
    long errors;
    Throwable failure;

    Loop(KvClient client, KvWorkload workload, long from, long to) {
      this.client = client;
      this.workload = workload;
      this.from = from;
      this.to = to;
    }

    @Override
    public void run() {
      try {
        while (System.nanoTime() < to) {
          KvCommand c = workload.next();
          long start = System.nanoTime();
          KvReply r;
          try {
            // A stuck call must not outlive the window by much: give up a while after it ends.
            long waitNanos = Math.max(to - start, 0) + TimeUnit.SECONDS.toNanos(5);
            r = client.execute(c).toCompletableFuture().get(waitNanos, TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            r = KvReply.TIMEOUT;
          }
          long end = System.nanoTime();
          if (start < from || end > to) continue;
          if (!r.isResult()) errors++;
          else if (c instanceof KvCommand.Get) gets.add(end - start);
          else puts.add(end - start);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | RuntimeException e) {
        failure = e;
      }
    }
  }
}
