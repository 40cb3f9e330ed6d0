package bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Our side of {@code bench versus-etcd}: {@code raftkv local} (3 replicas of one group in one JVM,
 * LevelDB journals with fsync, the HTTP API) as a child JVM with this JVM's classpath (started with
 * {@link JvmLauncher}, as the MapReduce benchmark starts its processes), on a free port, data in
 * {@code dir}; ready once it printed its leader and its HTTP API answers.
 */
public final class OurLocalGroup implements AutoCloseable {
  private final ChildProcess process;
  private final URI base;

  private OurLocalGroup(ChildProcess process, URI base) {
    this.process = process;
    this.base = base;
  }

  /** The child's command line: {@code java ... <jvmOptions> cli.Main local --data DIR --http-port PORT}. */
  static List<String> command(List<String> jvmOptions, Path dataDir, int httpPort) {
    return JvmLauncher.command(jvmOptions, List.of("local", "--data", dataDir.toString(), "--http-port", String.valueOf(httpPort)));
  }

  /** With the JVM options {@code bin/raftkv} uses (none beyond {@link JvmLauncher#OPENS}). */
  public static OurLocalGroup start(Path dir, Duration timeout) throws IOException, InterruptedException {
    return start(dir, timeout, List.of());
  }

  public static OurLocalGroup start(Path dir, Duration timeout, List<String> jvmOptions) throws IOException, InterruptedException {
    int port = ChildProcess.freePort();
    ChildProcess p = ChildProcess.start("raftkv local", command(jvmOptions, dir.resolve("data"), port), dir.resolve("local.log"));
    OurLocalGroup group = new OurLocalGroup(p, URI.create("http://127.0.0.1:" + port));
    try {
      group.awaitReady(timeout);
      return group;
    } catch (IOException | InterruptedException | RuntimeException e) {
      group.close();
      throw e;
    }
  }

  public URI base() {
    return base;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      process.requireAlive();
      if (Files.exists(process.log()) && Files.readString(process.log()).contains("ready: leader")) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/status")).timeout(Duration.ofSeconds(5))
              .GET().build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) return;
        } catch (IOException e) {
          // not listening yet
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("raftkv local was not ready within " + timeout + "; its log ends:\n" + process.tail());
  }

  /**
   * Whether the API takes {@code ?consistency=serializable} (a 400 naming the allowed levels
   * means it does not): the serializable cells are measured only if it does.
   */
  public boolean servesSerializable() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/kv/" + KvWorkload.key(0) + "?consistency=serializable"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 || r.statusCode() == 404;
  }

  @Override
  public void close() {
    process.close();
  }
}
