package bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import journal.JournalCounters;

/**
 * What this JVM had used at one moment: CPU time of the process, time in garbage collection, and
 * the fsyncs, their time and the bytes of the nodes' group-commit journals (summed). The difference
 * of two tells where a window's time went ({@link ShardMoveBench}: before, during, after a move).
 */
record ProcessUsage(long cpuNanos, long gcMillis, long fsyncs, long fsyncNanos, long journalBytes) {

  static ProcessUsage now(Supplier<Map<String, JournalCounters.Snapshot>> journals) {
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    long gc = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) gc += Math.max(0, b.getCollectionTime());
    long fsyncs = 0;
    long nanos = 0;
    long bytes = 0;
    for (JournalCounters.Snapshot s : journals.get().values()) {
      fsyncs += s.fsyncs();
      nanos += s.fsyncNanos();
      bytes += s.bytes();
    }
    return new ProcessUsage(cpu, gc, fsyncs, nanos, bytes);
  }

  /**
   * From this moment to {@code later}, {@code seconds} apart: cores busy (process CPU seconds per
   * second), GC ms, fsyncs per second, mean ms per fsync, journal MiB written.
   */
  Map<String, Object> until(ProcessUsage later, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    long fsyncs = later.fsyncs - this.fsyncs;
    m.put("cores", seconds <= 0 || cpuNanos < 0 ? null : round2((later.cpuNanos - cpuNanos) / 1e9 / seconds));
    m.put("gc_ms", later.gcMillis - gcMillis);
    m.put("fsyncs_per_s", seconds <= 0 ? null : Math.round(fsyncs / seconds));
    m.put("fsync_ms", fsyncs == 0 ? null : round2((later.fsyncNanos - fsyncNanos) / 1e6 / fsyncs));
    m.put("journal_mib", round2((later.journalBytes - journalBytes) / 1048576.0));
    return m;
  }

  private static double round2(double x) {
    return Math.round(x * 100) / 100.0;
  }
}
