package mapreduce;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This JVM's CPU time so far (user + system, every thread: tasks, JIT compilers, GC, Akka), which the
 * benchmark reads from the processes' last lines: on a shared machine it is the measure that does not
 * depend on what else runs. {@link #byThread()} splits it by kind of thread, which is how the
 * benchmark says where a worker's CPU went (issue 14: most of it was not the tasks).
 */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** Milliseconds of CPU this process has used, or -1 where the JVM cannot tell. */
  public static long millis() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long nanos = sun.getProcessCpuTime();
      return nanos < 0 ? -1 : nanos / 1_000_000;
    }
    return -1;
  }

  /** {@code process cpu N ms}, then {@code ; cpu by thread: ...} where Linux tells: the end of every process's last line. */
  public static String summary() {
    return "process cpu " + millis() + " ms" + byThread().map(b -> "; " + b.describe()).orElse("");
  }

  /**
   * CPU milliseconds by kind of thread: the task thread, Akka's threads (dispatchers, scheduler: the
   * system is called {@code mapreduce}), the JIT compilers, the GC threads, the main thread, and the
   * rest of the process total ({@code other}: VM threads and threads already gone).
   */
  public record ByThread(long task, long akka, long jit, long gc, long main, long other) {
    /** The form the processes print and the benchmark parses. */
    public String describe() {
      return String.format(Locale.ROOT, "cpu by thread: task %d ms, akka %d ms, jit %d ms, gc %d ms, main %d ms, other %d ms",
          task, akka, jit, gc, main, other);
    }
  }

  /** This process's CPU by kind of thread from Linux's {@code /proc/self/task/<tid>/schedstat}; empty elsewhere. */
  public static java.util.Optional<ByThread> byThread() {
    long total = millis();
    Path tasks = Path.of("/proc/self/task");
    if (total < 0 || !Files.isDirectory(tasks)) {
      return java.util.Optional.empty();
    }
    long[] nanos = new long[5];
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path t : threads) {
        String name;
        long run;
        try {
          name = Files.readString(t.resolve("comm"), StandardCharsets.US_ASCII).trim();
          String stat = Files.readString(t.resolve("schedstat"), StandardCharsets.US_ASCII).trim();
          run = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
          continue; // the thread ended while we looked
        }
        int kind = kind(name);
        if (kind >= 0) {
          nanos[kind] += run;
        }
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
    long task = nanos[0] / 1_000_000;
    long akka = nanos[1] / 1_000_000;
    long jit = nanos[2] / 1_000_000;
    long gc = nanos[3] / 1_000_000;
    long main = nanos[4] / 1_000_000;
    return java.util.Optional.of(new ByThread(task, akka, jit, gc, main, Math.max(0, total - task - akka - jit - gc - main)));
  }

  /** Native thread names are cut to 15 characters: "mapreduce-task", "mapreduce-akka.", "C2 CompilerThre". */
  static int kind(String name) {
    if (name.startsWith("mapreduce-task")) {
      return 0;
    }
    if (name.startsWith("mapreduce-")) {
      return 1;
    }
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return 2;
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return 3;
    }
    if (name.equals("java") || name.equals("main")) {
      return 4;
    }
    return -1;
  }
}
