package bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The MapReduce benchmark behind {@code bin/raftkv bench mr}: wc over the 8 books repeated K times,
 * the sequential reference against a coordinator plus N worker JVMs, back to back in one run so
 * their ratio is measured under the same load. Every run is a fresh set of JVMs, timed from launch to
 * the coordinator's exit; each distributed output is checked against the sequential one. Where the
 * distributed time went comes from the coordinator's timeline line (cluster join, map phase, the
 * barrier wait, reduce phase, linger) and the workers' totals (intermediate bytes written and read,
 * busy time, time waiting for a task).
 */
public final class MrBench {
  /** What to run; {@code workers} empty means 1, 2 and 4; {@code workerHeap} empty means the JVM's default. */
  /** {@code labBaseline}: also time the lab's combiner-free sequential algorithm ({@link mapreduce.LabSequential}). */
  public record Options(Optional<Integer> workers, int copies, Path books, int reduces, boolean cds,
      Optional<String> workerHeap, List<String> workJvmOptions, Path root, boolean labBaseline) {
    public Options {
      workJvmOptions = List.copyOf(workJvmOptions);
    }

    public Options(Optional<Integer> workers, int copies, Path books, int reduces, boolean cds,
        Optional<String> workerHeap, List<String> workJvmOptions, Path root) {
      this(workers, copies, books, reduces, cds, workerHeap, workJvmOptions, root, false);
    }
  }

  /** One sequential process: launch to exit, its own compute time and its CPU (-1 if it did not say). */
  public record SequentialRun(double seconds, double computeS, double cpuS) {}

  /** Where a distributed run's time went, in seconds: launch to the last worker's first request, and so on. */
  public record Phases(double joinS, double mapS, double barrierWaitS, double reduceS, double lingerS, double exitS,
      double jobS, double jobExitS) {}

  /** The workers' totals, summed over every worker; {@code cpuS} is their processes' CPU time (-1 if a worker did not say). */
  public record WorkerTotals(long intermediateWritten, long intermediateRead, int extraMergePasses, double busyS,
      double waitS, double cpuS) {}

  /**
   * {@code coordinatorCpuS}: the coordinator process's CPU time, -1 if it did not say; {@code workerCpuByThread}
   * and {@code coordinatorCpuByThread}: seconds per kind of thread ({@link #THREAD_KINDS}), empty if unknown.
   */
  public record Run(int workers, double seconds, Phases phases, WorkerTotals totals, double coordinatorCpuS,
      List<Double> workerCpuByThread, List<Double> coordinatorCpuByThread) {
    public Run {
      workerCpuByThread = List.copyOf(workerCpuByThread);
      coordinatorCpuByThread = List.copyOf(coordinatorCpuByThread);
    }
  }

  /** {@code sequentialCpuS}: the sequential process's CPU time, -1 if it did not say; {@code sequentialCpuByThread} as in {@link Run}. */
  /** {@code lab}: the lab's combiner-free sequential run, if {@link Options#labBaseline} asked for it. */
  public record Result(Options options, int files, long inputBytes, int cores, double loadAvg, double sequentialS,
      double sequentialComputeS, double sequentialCpuS, List<Double> sequentialCpuByThread, List<Run> runs,
      Optional<SequentialRun> lab) {
    public Result {
      sequentialCpuByThread = List.copyOf(sequentialCpuByThread);
      runs = List.copyOf(runs);
    }

    public Result(Options options, int files, long inputBytes, int cores, double loadAvg, double sequentialS,
        double sequentialComputeS, double sequentialCpuS, List<Double> sequentialCpuByThread, List<Run> runs) {
      this(options, files, inputBytes, cores, loadAvg, sequentialS, sequentialComputeS, sequentialCpuS,
          sequentialCpuByThread, runs, Optional.empty());
    }
  }

  /**
   * The sequential run: the JVM's default JIT (C1 then C2), its best here (no slower in CPU than C1 alone),
   * and the default young generation: -Xmn48m saves it page faults too but costs more in GC (its table
   * of every word stays live), 5.3-5.9 s of process CPU against 4.8-5.2 s in one JVM at K = 30.
   */
  private static final List<String> SEQUENTIAL_JVM = List.of("-XX:+UseParallelGC");
  /**
   * Workers: C1 only. A worker lives for seconds and most of what gets hot in it is Akka's start-up;
   * with C2 each worker spent 1.6-1.8 s of CPU compiling (issue 14), more than C2 code saves on its
   * tasks: K = 30, 2 workers took 10.0-11.6 s of worker CPU with C2 and 7.1-8.2 s without; by thread,
   * C2 tasks 4.8 s but JIT 9.1 s, C1 tasks 7.3-7.5 s and JIT 2.7-2.8 s. At K = 100 on the loaded machine
   * C2 workers' heartbeats fell seconds behind and the coordinator downed both as unreachable.
   * A fixed 48 MB young generation: with the default, adaptive one the task thread kept touching
   * fresh eden pages (35-70 thousand page faults and about 1 s of system time per worker at K = 30,
   * against under a thousand with -Xmn48m), about 14 % of the task CPU; a map task's live data is a
   * few MB.
   */
  private static final List<String> WORKER_JVM = List.of("-XX:+UseParallelGC", "-Xmn48m", "-XX:TieredStopAtLevel=1");
  /** The lab's sequential keeps one pair object per word in one list: 99 MB of books need about 4 GB. */
  private static final String LAB_HEAP = "-Xmx12g";
  /** The coordinator only hands out tasks; C1 alone starts it faster. */
  private static final List<String> COORDINATOR_JVM = List.of("-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1");

  private static final Pattern SEQ_SECONDS = Pattern.compile("over \\d+ files in ([0-9.]+) s");
  private static final Pattern TIMELINE = Pattern.compile("timeline: started=(\\d+) first-join=(\\d+) last-join=(\\d+) "
      + "workers=(\\d+) first-idle-in-map=(\\d+) maps-done=(\\d+) done=(\\d+) stopped=(\\d+)");
  private static final Pattern TOTALS = Pattern.compile("worker totals: \\d+ maps, \\d+ reduces, input \\d+ B, "
      + "intermediate written (\\d+) B read (\\d+) B, output \\d+ B, extra merge passes (\\d+), busy (\\d+) ms, "
      + "waiting for a task (\\d+) ms(?:, process cpu (-?\\d+) ms)?");
  private static final Pattern PROCESS_CPU = Pattern.compile("process cpu (-?\\d+) ms");
  private static final Pattern THREAD_CPU = Pattern.compile("cpu by thread: task (\\d+) ms, akka (\\d+) ms, jit (\\d+) ms, "
      + "gc (\\d+) ms, main (\\d+) ms, other (\\d+) ms");
  /** The kinds of thread of {@code mapreduce.ProcessCpu.ByThread}, in its order. */
  static final List<String> THREAD_KINDS = List.of("task", "akka", "jit", "gc", "main", "other");

  private final Options options;
  private final PrintWriter err;
  /** The sequential run's JVM options ({@code --work-jvm-option} included), before any CDS archive. */
  private final List<String> sequentialBase;
  private List<String> sequentialJvm;
  private List<String> workerJvm;
  private List<String> coordinatorJvm = COORDINATOR_JVM;

  private MrBench(Options options, PrintWriter err) {
    this.options = options;
    this.err = err;
    this.sequentialBase = new ArrayList<>(SEQUENTIAL_JVM);
    sequentialBase.addAll(options.workJvmOptions());
    this.sequentialJvm = sequentialBase;
    List<String> work = new ArrayList<>(WORKER_JVM);
    work.addAll(options.workJvmOptions());
    this.workerJvm = withHeap(work, options.workerHeap());
  }

  /** Runs the benchmark; prints progress to {@code err} and the JSON line to {@code out}; returns the exit code. */
  public static int run(Options options, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
    return new MrBench(options, err).run(out);
  }

  private int run(PrintWriter out) throws IOException, InterruptedException {
    List<Path> originals = listBooks(options.books());
    if (originals.isEmpty() || options.copies() < 1 || options.workers().map(n -> n < 1).orElse(false)) {
      err.println("error: need pg-*.txt books in " + options.books().toAbsolutePath().normalize()
          + ", --copies >= 1, --workers >= 1");
      err.flush();
      return 2;
    }
    Path root = options.root().toAbsolutePath();
    List<String> files = prepareInput(originals, root.resolve("mr-input"), options.copies());
    long bytes = 0;
    for (String f : files) {
      bytes += Files.size(Path.of(f));
    }
    say(String.format(Locale.ROOT, "bench mr: wc over %d files (%.1f MB)%s", files.size(), bytes / 1e6,
        options.workerHeap().map(h -> ", workers at -Xmx" + h).orElse("")));
    if (options.cds()) {
      archiveClasses(root, originals);
    }

    Path seqDir = fresh(root.resolve("mr-sequential"));
    List<String> seqArgs = new ArrayList<>(List.of("mr", "sequential", "--app", "wc", "--out", "mr-out-0"));
    seqArgs.addAll(files);
    long t0 = System.nanoTime();
    int code = runAndWait(seqDir, "sequential", sequentialJvm, seqArgs);
    double sequential = (System.nanoTime() - t0) / 1e9;
    if (code != 0) {
      err.println("error: sequential run failed; see " + seqDir.resolve("sequential.log"));
      err.flush();
      return 1;
    }
    List<String> expected = sortedLines(seqDir);
    Matcher sm = SEQ_SECONDS.matcher(Files.readString(seqDir.resolve("sequential.log"), StandardCharsets.UTF_8));
    double sequentialCompute = sm.find() ? Double.parseDouble(sm.group(1)) : -1;
    String seqLog = Files.readString(seqDir.resolve("sequential.log"), StandardCharsets.UTF_8);
    double sequentialCpu = processCpu(seqLog);
    say(String.format(Locale.ROOT, "  sequential: %.2f s (compute %.2f s, process cpu %.2f s)", sequential,
        sequentialCompute, sequentialCpu));

    Optional<SequentialRun> lab = Optional.empty();
    if (options.labBaseline()) {
      Path labDir = fresh(root.resolve("mr-sequential-lab"));
      List<String> labArgs = new ArrayList<>(List.of("mr", "sequential", "--lab", "--app", "wc", "--out", "mr-out-0"));
      labArgs.addAll(files);
      long l0 = System.nanoTime();
      int labCode = runAndWait(labDir, "sequential", concat(sequentialJvm, LAB_HEAP), labArgs);
      double labSeconds = (System.nanoTime() - l0) / 1e9;
      String labLog = Files.readString(labDir.resolve("sequential.log"), StandardCharsets.UTF_8);
      if (labCode == 0 && !sortedLines(labDir).equals(expected)) {
        err.println("error: the lab's sequential output differs from the sequential one in " + labDir);
        err.flush();
        return 1;
      }
      if (labCode != 0) { // it holds one object per word: at 330 MB more than LAB_HEAP; the rest of the run goes on
        say(String.format(Locale.ROOT, "  the lab's sequential (no combiner) failed after %.1f s%s; no lab ratios (see %s)",
            labSeconds, labLog.contains("OutOfMemoryError") ? " out of memory at " + LAB_HEAP : "",
            labDir.resolve("sequential.log")));
      } else {
        Matcher lm = SEQ_SECONDS.matcher(labLog);
        lab = Optional.of(new SequentialRun(labSeconds, lm.find() ? Double.parseDouble(lm.group(1)) : -1, processCpu(labLog)));
        say(String.format(Locale.ROOT, "  the lab's sequential (no combiner): %.2f s (compute %.2f s, process cpu %.2f s)",
            lab.get().seconds(), lab.get().computeS(), lab.get().cpuS()));
      }
    }

    List<Run> runs = new ArrayList<>();
    for (int n : options.workers().map(List::of).orElse(List.of(1, 2, 4))) {
      Path dir = fresh(root.resolve("mr-workers-" + n));
      Run r = distributed(dir, n, files);
      if (!sortedLines(dir).equals(expected)) {
        err.println("error: output with " + n + " workers differs from the sequential output in " + dir);
        err.flush();
        return 1;
      }
      say(String.format(Locale.ROOT, "  %d workers: %.2f s (ratio %.2f), job %.2f s (ratio %.2f), cpu workers %.2f s "
          + "coordinator %.2f s; %s", n, r.seconds(), r.seconds() / sequential, r.phases().jobS(),
          r.phases().jobS() / sequentialCompute, r.totals().cpuS(), r.coordinatorCpuS(), r.phases()));
      say("    cpu by thread (" + String.join(", ", THREAD_KINDS) + "): workers " + r.workerCpuByThread() + ", coordinator "
          + r.coordinatorCpuByThread());
      runs.add(r);
    }
    Result result = new Result(options, files.size(), bytes, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), sequential, sequentialCompute, sequentialCpu,
        cpuByThread(List.of(seqLog)), runs, lab);
    String json = json(result);
    out.println(json);
    out.flush();
    Files.writeString(root.resolve("mr.json"), json + "\n", StandardCharsets.UTF_8);
    return 0;
  }

  /** The JSON line: the headline run (2 workers if run, else the first) at the top level, every run in {@code runs}. */
  public static String json(Result r) {
    Run h = r.runs().stream().filter(x -> x.workers() == 2).findFirst().orElse(r.runs().get(0));
    String runs = r.runs().stream().map(x -> "{" + runFields(x, r) + "}").collect(Collectors.joining(",", "[", "]"));
    return String.format(Locale.ROOT,
        "{\"bench\":\"mr\",\"app\":\"wc\",\"copies\":%d,\"files\":%d,\"input_mb\":%.1f,\"reduces\":%d,"
            + "\"worker_heap\":\"%s\",\"cores\":%d,\"load_avg\":%.2f,\"sequential_s\":%.3f,\"sequential_compute_s\":%.3f,"
            + "\"sequential_cpu_s\":%.3f,\"sequential_cpu_by_thread\":%s,%s\"identical_output\":true,%s,\"runs\":%s}",
        r.options().copies(), r.files(), r.inputBytes() / 1e6, r.options().reduces(),
        r.options().workerHeap().orElse("default"), r.cores(), r.loadAvg(), r.sequentialS(), r.sequentialComputeS(),
        r.sequentialCpuS(), byThreadJson(r.sequentialCpuByThread()), labFields(r), runFields(h, r), runs);
  }

  /** The lab baseline's fields, each followed by a comma; empty without it. */
  private static String labFields(Result r) {
    return r.lab().map(l -> String.format(Locale.ROOT,
        "\"lab_sequential_s\":%.3f,\"lab_sequential_compute_s\":%.3f,\"lab_sequential_cpu_s\":%.3f,", l.seconds(),
        l.computeS(), l.cpuS())).orElse("");
  }

  /** The run against the lab baseline: {@code ratio_vs_lab} and {@code job_ratio_vs_lab}, each after a comma; empty without it. */
  private static String labRatios(Run x, Result r) {
    return r.lab().map(l -> String.format(Locale.ROOT, ",\"ratio_vs_lab\":%.3f,\"job_ratio_vs_lab\":%.3f",
        x.seconds() / l.seconds(), x.phases().jobS() / l.computeS())).orElse("");
  }

  private static String runFields(Run x, Result r) {
    Phases p = x.phases();
    WorkerTotals t = x.totals();
    return String.format(Locale.ROOT,
        "\"workers\":%d,\"seconds\":%.3f,\"ratio\":%.3f,\"job_s\":%.3f,\"job_ratio\":%.3f,\"job_exit_s\":%.3f,"
            + "\"join_s\":%.3f,\"map_s\":%.3f,\"barrier_wait_s\":%.3f,\"reduce_s\":%.3f,\"linger_s\":%.3f,\"exit_s\":%.3f,"
            + "\"intermediate_written_bytes\":%d,\"intermediate_read_bytes\":%d,\"extra_merge_passes\":%d,"
            + "\"worker_busy_s\":%.3f,\"worker_wait_s\":%.3f,\"worker_cpu_s\":%.3f,\"coordinator_cpu_s\":%.3f,"
            + "\"cpu_ratio\":%.3f,\"worker_cpu_by_thread\":%s,\"coordinator_cpu_by_thread\":%s",
        x.workers(), x.seconds(), x.seconds() / r.sequentialS(), p.jobS(), p.jobS() / r.sequentialComputeS(),
        p.jobExitS(), p.joinS(), p.mapS(), p.barrierWaitS(), p.reduceS(), p.lingerS(), p.exitS(),
        t.intermediateWritten(), t.intermediateRead(), t.extraMergePasses(), t.busyS(), t.waitS(), t.cpuS(),
        x.coordinatorCpuS(), cpuRatio(x, r), byThreadJson(x.workerCpuByThread()), byThreadJson(x.coordinatorCpuByThread()))
        + labRatios(x, r);
  }

  /** {@code {"task":1.234,...}} in {@link #THREAD_KINDS} order, or {@code null} when unknown. */
  private static String byThreadJson(List<Double> secs) {
    if (secs.isEmpty()) {
      return "null";
    }
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < THREAD_KINDS.size(); i++) {
      fields.add(String.format(Locale.ROOT, "\"%s\":%.3f", THREAD_KINDS.get(i), secs.get(i)));
    }
    return fields.stream().collect(Collectors.joining(",", "{", "}"));
  }

  /**
   * The {@code cpu by thread} line each process printed last, summed over the processes, in seconds
   * per kind of thread ({@link #THREAD_KINDS}); empty if any of them did not print one.
   */
  public static List<Double> cpuByThread(List<String> logs) {
    long[] ms = new long[THREAD_KINDS.size()];
    for (String log : logs) {
      Matcher m = THREAD_CPU.matcher(log);
      long[] last = null;
      while (m.find()) {
        last = new long[ms.length];
        for (int i = 0; i < ms.length; i++) {
          last[i] = Long.parseLong(m.group(i + 1));
        }
      }
      if (last == null) {
        return List.of();
      }
      for (int i = 0; i < ms.length; i++) {
        ms[i] += last[i];
      }
    }
    List<Double> out = new ArrayList<>();
    for (long x : ms) {
      out.add(s(x));
    }
    return out;
  }

  /** CPU of the distributed run's processes over the sequential process's: load-insensitive, unlike the wall ratios; -1 if unknown. */
  static double cpuRatio(Run x, Result r) {
    if (x.totals().cpuS() < 0 || x.coordinatorCpuS() < 0 || r.sequentialCpuS() <= 0) {
      return -1;
    }
    return (x.totals().cpuS() + x.coordinatorCpuS()) / r.sequentialCpuS();
  }

  /** Reads the coordinator's timeline line; {@code launchedAt} and {@code exitedAt} are the bench's epoch ms. */
  public static Phases phases(String coordinatorLog, long launchedAt, long exitedAt) {
    Matcher m = TIMELINE.matcher(coordinatorLog);
    if (!m.find()) {
      throw new IllegalArgumentException("no timeline line in the coordinator's log");
    }
    long firstJoin = Long.parseLong(m.group(2));
    long lastJoin = Long.parseLong(m.group(3));
    long firstIdle = Long.parseLong(m.group(5));
    long mapsDone = Long.parseLong(m.group(6));
    long done = Long.parseLong(m.group(7));
    long stopped = Long.parseLong(m.group(8));
    return new Phases(s(lastJoin - launchedAt), s(mapsDone - firstJoin), firstIdle == 0 ? 0 : s(mapsDone - firstIdle),
        s(done - mapsDone), s(stopped - done), s(exitedAt - stopped), s(done - firstJoin), s(exitedAt - firstJoin));
  }

  /** Sums the {@code worker totals} lines of the workers' logs. */
  public static WorkerTotals totals(List<String> workerLogs) {
    long written = 0;
    long read = 0;
    int passes = 0;
    long busy = 0;
    long waited = 0;
    long cpu = 0;
    for (String log : workerLogs) {
      Matcher m = TOTALS.matcher(log);
      if (m.find()) {
        written += Long.parseLong(m.group(1));
        read += Long.parseLong(m.group(2));
        passes += Integer.parseInt(m.group(3));
        busy += Long.parseLong(m.group(4));
        waited += Long.parseLong(m.group(5));
        long c = m.group(6) == null ? -1 : Long.parseLong(m.group(6));
        cpu = cpu < 0 || c < 0 ? -1 : cpu + c;
      } else {
        cpu = -1;
      }
    }
    return new WorkerTotals(written, read, passes, s(busy), s(waited), cpu < 0 ? -1 : s(cpu));
  }

  /** The {@code process cpu N ms} a process printed last, in seconds; -1 if none. */
  public static double processCpu(String log) {
    Matcher m = PROCESS_CPU.matcher(log);
    long ms = -1;
    while (m.find()) {
      ms = Long.parseLong(m.group(1));
    }
    return ms < 0 ? -1 : s(ms);
  }

  private static double s(long millis) {
    return millis / 1000.0;
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
    List<String> worker = workerJvm;
    coordinatorJvm = concat(COORDINATOR_JVM, "-XX:ArchiveClassesAtExit=" + coordinatorArchive);
    workerJvm = concat(worker, "-XX:ArchiveClassesAtExit=" + workerArchive);
    distributed(cds, 1, warmFiles);
    boolean ok = Files.exists(coordinatorArchive) && Files.exists(workerArchive);
    coordinatorJvm = ok ? concat(COORDINATOR_JVM, "-XX:SharedArchiveFile=" + coordinatorArchive) : COORDINATOR_JVM;
    workerJvm = ok ? concat(worker, "-XX:SharedArchiveFile=" + workerArchive) : worker;
    sequentialJvm = ok ? concat(sequentialBase, "-XX:SharedArchiveFile=" + workerArchive) : sequentialBase;
    say(ok ? "  class-data-sharing archives in " + cds : "  (no CDS archives; running without)");
  }

  private Run distributed(Path dir, int n, List<String> files) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> coordArgs = new ArrayList<>(List.of("mr", "coordinator", "--app", "wc", "--reduces",
        Integer.toString(options.reduces()), "--port", Integer.toString(port)));
    coordArgs.addAll(files);
    List<Process> procs = new ArrayList<>();
    long launchedAt = System.currentTimeMillis();
    long t0 = System.nanoTime();
    try {
      // All at once: workers retry joining until the coordinator (the seed node) is up.
      Process coordinator = start(dir, "coordinator", coordinatorJvm, coordArgs);
      procs.add(coordinator);
      for (int i = 1; i <= n; i++) {
        procs.add(start(dir, "worker-" + i, workerJvm,
            List.of("mr", "worker", "--app", "wc", "--coordinator", "127.0.0.1:" + port)));
      }
      if (!coordinator.waitFor(10, TimeUnit.MINUTES) || coordinator.exitValue() != 0) {
        throw new IOException("coordinator failed or timed out; see " + dir.resolve("coordinator.log"));
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long exitedAt = System.currentTimeMillis();
      List<String> workerLogs = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        Process p = procs.get(i);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IOException("worker-" + i + " failed or did not exit; see " + dir.resolve("worker-" + i + ".log"));
        }
        workerLogs.add(Files.readString(dir.resolve("worker-" + i + ".log"), StandardCharsets.UTF_8));
      }
      String coordinatorLog = Files.readString(dir.resolve("coordinator.log"), StandardCharsets.UTF_8);
      return new Run(n, secs, phases(coordinatorLog, launchedAt, exitedAt), totals(workerLogs),
          processCpu(coordinatorLog), cpuByThread(workerLogs), cpuByThread(List.of(coordinatorLog)));
    } finally {
      for (Process p : procs) {
        p.destroyForcibly();
      }
    }
  }

  private static List<String> withHeap(List<String> jvm, Optional<String> heap) {
    return heap.map(h -> concat(jvm, "-Xmx" + h)).orElse(jvm);
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> out = new ArrayList<>(a);
    out.add(b);
    return out;
  }

  private void say(String line) {
    err.println(line);
    err.flush();
  }

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

  private static List<Path> listBooks(Path books) throws IOException {
    if (!Files.isDirectory(books)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(books)) {
      return s.filter(p -> p.getFileName().toString().matches("pg-.*\\.txt")).sorted().collect(Collectors.toList());
    }
  }

  /** K copies of every book under distinct names (copy-K-pg-x.txt), reused across runs. */
  private static List<String> prepareInput(List<Path> originals, Path input, int copies) throws IOException {
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

  /** {@code sort mr-out* | grep .}: the non-empty lines of every output file in {@code dir}, sorted. */
  public static List<String> sortedLines(Path dir) throws IOException {
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
