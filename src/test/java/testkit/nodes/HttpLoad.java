package testkit.nodes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A closed-loop HTTP load for process tests: {@code connections} threads, each sending
 * {@code PUT /kv/{key}} (16-byte keys over 10,000, 256-byte values) one after another for a while,
 * recording each request's latency and whether it was answered 200.
 */
public final class HttpLoad {
  private HttpLoad() {}

  /** What one run gave: requests answered 200 per second, latency percentiles of all requests, failures. */
  public record Result(String base, int connections, double seconds, int ok, int failed, long p50Micros,
      long p99Micros, long maxMicros, String firstFailure) {
    public double perSecond() {
      return ok / seconds;
    }

    public String json() {
      return String.format("{\"target\":\"%s\",\"connections\":%d,\"puts_per_s\":%.0f,\"ok\":%d,\"failed\":%d,"
              + "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}", base, connections, perSecond(), ok, failed,
          p50Micros / 1000.0, p99Micros / 1000.0, maxMicros / 1000.0);
    }
  }

  public static Result run(String base, int connections, Duration duration, long seed) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String value = "v".repeat(256);
    AtomicBoolean stop = new AtomicBoolean();
    List<long[]> latencies = new ArrayList<>();
    int[] ok = new int[connections];
    int[] failed = new int[connections];
    String[] firstFailure = new String[connections];
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      int id = i;
      long[] lat = new long[1 << 16];
      latencies.add(lat);
      Thread t = new Thread(() -> {
        SplittableRandom rnd = new SplittableRandom(seed + id);
        int n = 0;
        while (!stop.get()) {
          String key = String.format("key-%011d", rnd.nextInt(10_000));
          HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/kv/" + key)).timeout(Duration.ofSeconds(30))
              .PUT(HttpRequest.BodyPublishers.ofString(value)).build();
          long start = System.nanoTime();
          try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) ok[id]++;
            else {
              failed[id]++;
              if (firstFailure[id] == null) firstFailure[id] = r.statusCode() + " " + r.body();
            }
          } catch (Exception e) {
            failed[id]++;
            if (firstFailure[id] == null) firstFailure[id] = e.toString();
          }
          if (n < lat.length - 1) lat[n++] = (System.nanoTime() - start) / 1000;
          lat[lat.length - 1] = n; // the count, in the last slot
        }
      }, "http-load-" + i);
      threads.add(t);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(duration.toMillis());
    stop.set(true);
    for (Thread t : threads) t.join(60_000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) Math.min(l[l.length - 1], l.length - 1)))
        .sorted().toArray();
    String first = Arrays.stream(firstFailure).filter(f -> f != null).findFirst().orElse(null);
    return new Result(base, connections, seconds, Arrays.stream(ok).sum(), Arrays.stream(failed).sum(),
        pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1], first);
  }

  private static long pct(long[] sorted, double q) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
