package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.JvmLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduce task's memory does not grow with its input: a JVM with a 32 MB heap reduces a partition
 * of 96 MB (48 map outputs of 2 MB, every key in every one), once in a single merge and once through
 * extra passes. Reading the partition into memory, as the lab's reduce does, needs several times the heap.
 */
class ReduceMemoryTest {
  @TempDir Path dir;

  private static final int MAPS = 48;
  private static final int KEYS = 2000;
  private static final String VALUE = "v".repeat(1000);

  @Test
  void aReduceOverThreeTimesItsHeapStreams() throws Exception {
    List<String> oneValue = List.of(VALUE);
    for (int m = 0; m < MAPS; m++) {
      try (IntermediateWriter w = IntermediateWriter.create(dir.resolve(TaskFiles.intermediateName(m, 0)))) {
        for (int k = 0; k < KEYS; k++) {
          w.write(String.format("key-%05d", k), oneValue);
        }
        w.commit();
      }
    }
    for (String fanIn : List.of("256", "5")) {
      Path log = dir.resolve("reduce-" + fanIn + ".log");
      Process p = new ProcessBuilder(JvmLauncher.command(ReduceMain.class.getName(),
          List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
          List.of(dir.toString(), Integer.toString(MAPS), "0", fanIn)))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reduce did not finish");
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("reduced ") && out.contains("extra passes"), out);
      List<String> lines = Files.readAllLines(dir.resolve(TaskFiles.outputName(0)));
      assertEquals(KEYS, lines.size());
      assertEquals("key-00000 " + MAPS + " " + MAPS * VALUE.length(), lines.get(0));
      assertEquals(String.format("key-%05d %d %d", KEYS - 1, MAPS, MAPS * VALUE.length()), lines.get(KEYS - 1));
    }
  }
}
