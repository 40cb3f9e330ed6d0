package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The per-thread split of the process's CPU that workers and the coordinator print for the benchmark. */
class ProcessCpuTest {
  @Test
  void threadNamesAsLinuxCutsThemFallIntoTheirKinds() {
    assertEquals(0, ProcessCpu.kind("mapreduce-task"));
    assertEquals(1, ProcessCpu.kind("mapreduce-akka."));
    assertEquals(1, ProcessCpu.kind("mapreduce-sched"));
    assertEquals(2, ProcessCpu.kind("C1 CompilerThre"));
    assertEquals(2, ProcessCpu.kind("C2 CompilerThre"));
    assertEquals(3, ProcessCpu.kind("GC Thread#1"));
    assertEquals(4, ProcessCpu.kind("java"));
    assertEquals(-1, ProcessCpu.kind("VM Thread"));
  }

  @Test
  void aBusyTaskThreadIsCountedAsTaskAndTheKindsAddUpToTheProcessTotal() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
    long before = ProcessCpu.byThread().orElseThrow().task();
    Thread t = new Thread(() -> {
      // 300 ms of this thread's own CPU, however loaded the machine is.
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long x = 0;
      while (mx.getCurrentThreadCpuTime() < 300_000_000L) {
        x += x * 31 + 7;
      }
      if (x == 42) {
        System.err.println(x);
      }
      synchronized (ProcessCpuTest.class) {
        try {
          ProcessCpuTest.class.wait(60_000); // still alive while we read its CPU
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "mapreduce-task");
    t.start();
    Thread.sleep(100);
    while (t.getState() == Thread.State.RUNNABLE) {
      Thread.sleep(20);
    }
    ProcessCpu.ByThread b = ProcessCpu.byThread().orElseThrow();
    synchronized (ProcessCpuTest.class) {
      ProcessCpuTest.class.notifyAll();
    }
    t.join();
    assertTrue(b.task() - before >= 200, "task thread's CPU: " + b);
    long total = ProcessCpu.millis();
    long sum = b.task() + b.akka() + b.jit() + b.gc() + b.main() + b.other();
    assertTrue(sum <= total + 50, b + " against process total " + total);
    assertTrue(ProcessCpu.summary().matches("process cpu \\d+ ms; cpu by thread: task \\d+ ms, akka \\d+ ms, jit \\d+ ms, "
        + "gc \\d+ ms, main \\d+ ms, other \\d+ ms"), ProcessCpu.summary());
  }
}
