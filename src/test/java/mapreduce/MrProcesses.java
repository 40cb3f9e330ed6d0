package mapreduce;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bench.JvmLauncher;
import bench.MrBench;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The lab's test-mr.sh as a Java harness: one fresh directory under {@code target/mr-test/} per
 * case, coordinator and workers as real JVMs ({@code cli.Main mr ...}) with the test classpath,
 * each under its own timeout (the script's {@code timeout -k 2s 45s}), output in {@code <label>.log}
 * beside the job's files. {@link #close()} kills every process still alive.
 */
final class MrProcesses implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(45);

  final Path dir;
  final int port;
  private final Map<Process, String> labels = new ConcurrentHashMap<>();
  private final Map<Process, Long> deadlines = new ConcurrentHashMap<>();
  private final List<Process> all = Collections.synchronizedList(new ArrayList<>());

  MrProcesses(String name) throws IOException {
    dir = Path.of("target", "mr-test", name + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(dir);
    port = freePort();
  }

  /** The 8 books, as absolute paths (the names appear in indexer output). */
  static List<String> books() throws IOException {
    Path pg = Path.of("..", "shared", "data", "pg").toAbsolutePath().normalize();
    if (!Files.isDirectory(pg)) {
      fail("input books not found at " + pg + " (expected shared/data/pg beside the repository)");
    }
    try (Stream<Path> s = Files.list(pg)) {
      List<String> books = s.filter(p -> p.getFileName().toString().matches("pg-.*\\.txt"))
          .map(Path::toString).sorted().collect(Collectors.toList());
      assertTrue(books.size() == 8, "expected 8 books in " + pg + ", found " + books);
      return books;
    }
  }

  Process coordinator(String app, List<String> files) throws IOException {
    return coordinator(app, files, TIMEOUT);
  }

  Process coordinator(String app, List<String> files, Duration timeout) throws IOException {
    List<String> args = new ArrayList<>(List.of("mr", "coordinator", "--app", app, "--port", Integer.toString(port)));
    args.addAll(files);
    return start("coordinator", timeout, args);
  }

  Process worker(String label, String app) throws IOException {
    return worker(label, app, TIMEOUT);
  }

  Process worker(String label, String app, Duration timeout, String... options) throws IOException {
    List<String> args = new ArrayList<>(List.of("mr", "worker", "--app", app, "--coordinator", "127.0.0.1:" + port));
    args.addAll(List.of(options));
    return start(label, timeout, args);
  }

  /** A worker JVM with extra options (e.g. a small {@code -Xmx}). */
  Process workerWithJvm(String label, String app, List<String> jvmOptions) throws IOException {
    return start(label, TIMEOUT, jvmOptions,
        List.of("mr", "worker", "--app", app, "--coordinator", "127.0.0.1:" + port));
  }

  Process start(String label, Duration timeout, List<String> args) throws IOException {
    return start(label, timeout, List.of(), args);
  }

  /** Starts {@code cli.Main args} in {@link #dir}; C1 only, since these short-lived JVMs spend most of their time starting. */
  Process start(String label, Duration timeout, List<String> jvmOptions, List<String> args) throws IOException {
    List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss4m",
        "-Dconfig.resource=application-test.conf", "-Dlogback.configurationFile=logback.xml"));
    jvm.addAll(jvmOptions);
    List<String> cmd = JvmLauncher.command(jvm, args);
    Path log = dir.resolve(label + ".log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    labels.put(p, label);
    deadlines.put(p, System.nanoTime() + timeout.toNanos());
    all.add(p);
    return p;
  }

  /** Waits for {@code p} within its own timeout; kills it and fails the test if it runs over. */
  int await(Process p) throws InterruptedException, IOException {
    long left = deadlines.get(p) - System.nanoTime();
    if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
      p.destroyForcibly();
      fail(labels.get(p) + " did not exit within its timeout; its log:\n" + tail(labels.get(p)));
    }
    return p.exitValue();
  }

  /** Returns whether {@code p} ran past its deadline (and kills it if so), without failing. */
  boolean awaitQuietly(Process p) throws InterruptedException {
    long left = deadlines.get(p) - System.nanoTime();
    if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return true;
  }

  String tail(String label) throws IOException {
    Path log = dir.resolve(label + ".log");
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  String log(String label) throws IOException {
    return Files.readString(dir.resolve(label + ".log"), StandardCharsets.UTF_8);
  }

  /** {@code sort mr-out* | grep .}: the non-empty lines of every output file, sorted. */
  List<String> sortedOutput() throws IOException {
    return MrBench.sortedLines(dir);
  }

  /** The sequential reference output for {@code app}, sorted the same way. */
  List<String> reference(String app, List<String> files) throws IOException {
    Path out = dir.resolve("mr-correct-" + app + ".txt");
    Sequential.run(MapReduceApps.load(app), files, dir, out);
    List<String> lines = new ArrayList<>();
    for (String line : Files.readString(out, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    Collections.sort(lines);
    return lines;
  }

  /** Fails with the first differing line instead of dumping two large outputs. */
  void assertSameOutput(List<String> expected, List<String> actual, String what) throws IOException {
    if (expected.equals(actual)) {
      return;
    }
    int i = 0;
    while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
      i++;
    }
    fail(what + ": output differs from the sequential reference at sorted line " + i + ": expected '"
        + (i < expected.size() ? expected.get(i) : "<end>") + "' but was '"
        + (i < actual.size() ? actual.get(i) : "<end>") + "' (" + expected.size() + " vs " + actual.size()
        + " lines) in " + dir + "\ncoordinator log:\n" + tail("coordinator"));
  }

  static void sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : new ArrayList<>(all)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : new ArrayList<>(all)) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
