package mapreduce;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * This JVM's CPU time so far (user + system, every thread: tasks, JIT compilers, GC, Akka), which the
 * benchmark reads from the processes' last lines: on a shared machine it is the measure that does not
 * depend on what else runs.
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
}
