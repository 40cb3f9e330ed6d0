package cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench mr}: word count over the 8 books repeated K times, the sequential
 * reference against 1, 2 and 4 worker processes (or just {@code --workers N}). Every run is a fresh
 * set of JVMs (sequential: one; distributed: a coordinator plus N workers started together), timed
 * from launch to exit, so JVM start, cluster join and the coordinator's 1 s linger are included.
 * Each distributed output is checked against the sequential one. Prints one JSON line and writes
 * it to {@code target/bench/mr.json}.
 */
@Command(name = "mr", mixinStandardHelpOptions = true,
    description = "MapReduce wc: sequential vs 1, 2, 4 worker processes; prints one JSON line.")
public final class BenchMrCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--workers", description = "Run only this many workers (default: 1, 2 and 4).")
  Integer workers;

  @Option(names = "--copies", defaultValue = "10", description = "Repeat the 8 books this many times (default: ${DEFAULT-VALUE}).")
  int copies;

  @Option(names = "--books", defaultValue = "../shared/data/pg", description = "Directory with the pg-*.txt books (default: ${DEFAULT-VALUE}).")
  Path books;

  @Option(names = "--reduces", defaultValue = "10", description = "Reduce tasks (default: ${DEFAULT-VALUE}).")
  int reduces;

  @Option(names = "--no-cds", description = "Do not use class-data-sharing archives for the child JVMs.")
  boolean noCds;

  private List<String> workerJvm = WORKER_JVM;
  private List<String> coordinatorJvm = COORDINATOR_JVM;

  private record Run(int workers, double seconds, double jobSeconds) {}

  private static final java.util.regex.Pattern JOB_SECONDS =
      java.util.regex.Pattern.compile("\\(([0-9.]+) s from the first worker joining to exit\\)");
  private static final java.util.regex.Pattern SEQ_SECONDS =
      java.util.regex.Pattern.compile("over \\d+ files in ([0-9.]+) s");

  /** The number {@code pattern} captures in {@code dir/label.log}, or -1. */
  private static double parse(Path dir, String label, java.util.regex.Pattern pattern) throws IOException {
    java.util.regex.Matcher m = pattern.matcher(Files.readString(dir.resolve(label + ".log"), StandardCharsets.UTF_8));
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    List<Path> originals = listBooks();
    if (originals.isEmpty() || copies < 1 || (workers != null && workers < 1)) {
      err.println("error: need pg-*.txt books in " + books.toAbsolutePath().normalize() + ", --copies >= 1, --workers >= 1");
      err.flush();
      return 2;
    }
    Path root = Path.of("target", "bench").toAbsolutePath();
    Path input = root.resolve("mr-input");
    List<String> files = prepareInput(originals, input);
    long bytes = 0;
    for (String f : files) {
      bytes += Files.size(Path.of(f));
    }
    err.printf(Locale.ROOT, "bench mr: wc over %d files (%.1f MB)%n", files.size(), bytes / 1e6);
    err.flush();

    if (!noCds) {
      archiveClasses(root, originals);
    }

    Path seqDir = fresh(root.resolve("mr-sequential"));
    List<String> seqArgs = new ArrayList<>(List.of("mr", "sequential", "--app", "wc", "--out", "mr-out-0"));
    seqArgs.addAll(files);
    long t0 = System.nanoTime();
    int code = runAndWait(seqDir, "sequential", workerJvm, seqArgs);
    double sequential = (System.nanoTime() - t0) / 1e9;
    if (code != 0) {
      err.println("error: sequential run failed; see " + seqDir.resolve("sequential.log"));
      return 1;
    }
    List<String> expected = sortedLines(seqDir);
    double sequentialCompute = parse(seqDir, "sequential", SEQ_SECONDS);
    err.printf(Locale.ROOT, "  sequential: %.2f s%n", sequential);
    err.flush();

    List<Integer> counts = workers != null ? List.of(workers) : List.of(1, 2, 4);
    List<Run> runs = new ArrayList<>();
    for (int n : counts) {
      Path dir = fresh(root.resolve("mr-workers-" + n));
      double secs = distributed(dir, n, files);
      if (!sortedLines(dir).equals(expected)) {
        err.println("error: output with " + n + " workers differs from the sequential output in " + dir);
        return 1;
      }
      err.printf(Locale.ROOT, "  %d workers: %.2f s (ratio %.2f)%n", n, secs, secs / sequential);
      err.flush();
      runs.add(new Run(n, secs, parse(dir, "coordinator", JOB_SECONDS)));
    }
    Run headline = runs.stream().filter(r -> r.workers() == 2).findFirst().orElse(runs.get(0));
    String runsJson = runs.stream()
        .map(r -> String.format(Locale.ROOT, "{\"workers\":%d,\"seconds\":%.3f,\"ratio\":%.3f,\"job_s\":%.3f,\"job_ratio\":%.3f}",
            r.workers(), r.seconds(), r.seconds() / sequential, r.jobSeconds(), r.jobSeconds() / sequentialCompute))
        .collect(Collectors.joining(",", "[", "]"));
    String json = String.format(Locale.ROOT,
        "{\"bench\":\"mr\",\"app\":\"wc\",\"copies\":%d,\"files\":%d,\"input_mb\":%.1f,\"reduces\":%d,"
            + "\"cores\":%d,\"load_avg\":%.2f,\"sequential_s\":%.3f,\"workers\":%d,\"seconds\":%.3f,\"ratio\":%.3f,"
            + "\"sequential_compute_s\":%.3f,\"job_s\":%.3f,\"job_ratio\":%.3f,\"runs\":%s}",
        copies, files.size(), bytes / 1e6, reduces, Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), sequential,
        headline.workers(), headline.seconds(), headline.seconds() / sequential, sequentialCompute,
        headline.jobSeconds(), headline.jobSeconds() / sequentialCompute, runsJson);
    spec.commandLine().getOut().println(json);
    spec.commandLine().getOut().flush();
    Files.writeString(root.resolve("mr.json"), json + "\n", StandardCharsets.UTF_8);
    return 0;
  }

  /**
   * AppCDS: a small warm-up job (2 books, 1 worker) dumps the classes each kind of process loads
   * ({@code -XX:ArchiveClassesAtExit}); the timed runs map them in ({@code -XX:SharedArchiveFile}),
   * which roughly halves Akka's start-up. The sequential run uses the worker's archive too.
   */
  private void archiveClasses(Path root, List<Path> originals) throws IOException, InterruptedException {
    Path cds = fresh(root.resolve("mr-cds"));
    Path coordinatorArchive = cds.resolve("coordinator.jsa");
    Path workerArchive = cds.resolve("worker.jsa");
    List<String> warmFiles = originals.subList(0, Math.min(2, originals.size())).stream()
        .map(p -> p.toAbsolutePath().toString()).collect(Collectors.toList());
    coordinatorJvm = concat(COORDINATOR_JVM, "-XX:ArchiveClassesAtExit=" + coordinatorArchive);
    workerJvm = concat(WORKER_JVM, "-XX:ArchiveClassesAtExit=" + workerArchive);
    distributed(cds, 1, warmFiles);
    boolean ok = Files.exists(coordinatorArchive) && Files.exists(workerArchive);
    coordinatorJvm = ok ? concat(COORDINATOR_JVM, "-XX:SharedArchiveFile=" + coordinatorArchive) : COORDINATOR_JVM;
    workerJvm = ok ? concat(WORKER_JVM, "-XX:SharedArchiveFile=" + workerArchive) : WORKER_JVM;
    spec.commandLine().getErr().println(ok ? "  class-data-sharing archives in " + cds : "  (no CDS archives; running without)");
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> out = new ArrayList<>(a);
    out.add(b);
    return out;
  }

  private double distributed(Path dir, int n, List<String> files) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> coordArgs = new ArrayList<>(List.of("mr", "coordinator", "--app", "wc", "--reduces",
        Integer.toString(reduces), "--port", Integer.toString(port)));
    coordArgs.addAll(files);
    List<Process> procs = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      Process coordinator = start(dir, "coordinator", coordinatorJvm, coordArgs);
      procs.add(coordinator);
      for (int i = 1; i <= n; i++) {
        procs.add(start(dir, "worker-" + i, workerJvm, List.of("mr", "worker", "--app", "wc", "--coordinator", "127.0.0.1:" + port)));
      }
      if (!coordinator.waitFor(10, TimeUnit.MINUTES) || coordinator.exitValue() != 0) {
        throw new IOException("coordinator failed or timed out; see " + dir.resolve("coordinator.log"));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      for (Process p : procs) {
        p.waitFor(30, TimeUnit.SECONDS);
      }
      return secs;
    } finally {
      for (Process p : procs) {
        p.destroyForcibly();
      }
    }
  }

  /** Sequential and workers do the work: the same JIT and GC for both. */
  private static final List<String> WORKER_JVM = List.of("-XX:+UseParallelGC");
  /** The coordinator only hands out tasks; C1 alone starts it faster. */
  private static final List<String> COORDINATOR_JVM = List.of("-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1");

  private static Process start(Path dir, String label, List<String> jvm, List<String> args) throws IOException {
    return new ProcessBuilder(JvmLauncher.command(jvm, args)).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(label + ".log").toFile()).start();
  }

  private static int runAndWait(Path dir, String label, List<String> jvm, List<String> args)
      throws IOException, InterruptedException {
    Process p = start(dir, label, jvm, args);
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        return -1;
      }
      return p.exitValue();
    } finally {
      p.destroyForcibly();
    }
  }

  private List<Path> listBooks() throws IOException {
    if (!Files.isDirectory(books)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(books)) {
      return s.filter(p -> p.getFileName().toString().matches("pg-.*\\.txt")).sorted().collect(Collectors.toList());
    }
  }

  /** K copies of every book under distinct names (copy-K-pg-x.txt), reused across runs. */
  private List<String> prepareInput(List<Path> originals, Path input) throws IOException {
    Files.createDirectories(input);
    List<String> files = new ArrayList<>();
    for (int k = 0; k < copies; k++) {
      for (Path b : originals) {
        Path target = input.resolve("copy-" + k + "-" + b.getFileName());
        if (!Files.exists(target) || Files.size(target) != Files.size(b)) {
          Files.copy(b, target, StandardCopyOption.REPLACE_EXISTING);
        }
        files.add(target.toString());
      }
    }
    return files;
  }

  private static Path fresh(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static List<String> sortedLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (DirectoryStream<Path> outs = Files.newDirectoryStream(dir, "mr-out-*")) {
      for (Path p : outs) {
        for (String line : Files.readString(p, StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            lines.add(line);
          }
        }
      }
    }
    Collections.sort(lines);
    return lines;
  }
}
