package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.MrBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import testkit.SeedExtension;

/** Map tasks with the combiner, reduce tasks as an external merge, and the sequential run they must agree with. */
@ExtendWith(SeedExtension.class)
class TaskRunnerTest {
  @TempDir Path dir;

  private List<String> randomTexts(long seed, int files, int words) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    String[] vocabulary = new String[300];
    for (int i = 0; i < vocabulary.length; i++) {
      vocabulary[i] = (i % 7 == 0 ? "Ü" : "") + "w" + Integer.toString(i * 7919, 36);
    }
    List<String> names = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        sb.append(vocabulary[(int) Math.floor(Math.pow(random.nextDouble(), 3) * vocabulary.length)]).append(w % 13 == 0 ? ".\n" : " ");
      }
      String name = "in-" + f + ".txt";
      Files.writeString(dir.resolve(name), sb, StandardCharsets.UTF_8);
      names.add(name);
    }
    return names;
  }

  /** The lab's mrsequential without any combiner: every pair in one list, grouped, reduced. */
  private List<String> naive(MapReduceApp app, List<String> files) throws IOException {
    Map<String, List<String>> groups = new HashMap<>();
    for (String f : files) {
      for (KeyValue kv : app.map(f, Files.readString(dir.resolve(f), StandardCharsets.UTF_8))) {
        groups.computeIfAbsent(kv.key(), k -> new ArrayList<>()).add(kv.value());
      }
    }
    List<String> lines = new ArrayList<>();
    groups.forEach((k, vs) -> lines.add(k + " " + app.reduce(k, vs)));
    Collections.sort(lines);
    return lines;
  }

  private List<String> sequential(MapReduceApp app, List<String> files) throws IOException {
    Path out = dir.resolve("seq").resolve("mr-out-0");
    Files.createDirectories(out.getParent());
    Sequential.run(app, files, dir, out);
    return MrBench.sortedLines(out.getParent());
  }

  @Test
  void mapWritesOneCombinedRecordPerWord() throws IOException {
    Files.writeString(dir.resolve("in.txt"), "the cat and the hat and the bat", StandardCharsets.UTF_8);
    TaskStats stats = new TaskRunner(MapReduceApps.load("wc"), dir).runMap(TaskId.map(0), "in.txt", 2);
    Map<String, List<String>> records = new HashMap<>();
    long bytes = 0;
    for (int r = 0; r < 2; r++) {
      Path p = dir.resolve(TaskFiles.intermediateName(0, r));
      bytes += Files.size(p);
      try (IntermediateReader in = IntermediateReader.open(p, 64)) {
        while (in.next()) {
          assertEquals(r, TaskFiles.partition(in.key(), 2), in.key());
          records.put(in.key(), List.copyOf(in.values()));
        }
      }
    }
    assertEquals(Map.of("the", List.of("3"), "and", List.of("2"), "cat", List.of("1"), "hat", List.of("1"),
        "bat", List.of("1")), records);
    assertEquals(bytes, stats.intermediateWritten());
    assertEquals(31, stats.inputBytes());
  }

  @Test
  void reduceMergesManyRunsThroughASmallFanInAndBuffer(long seed) throws IOException {
    List<String> files = randomTexts(seed, 23, 400);
    for (String app : List.of("wc", "indexer")) {
      MapReduceApp a = MapReduceApps.load(app);
      // fan-in 3 over 23 map outputs: 23 -> 8 -> 3 runs, two merge passes before the final one; 64-byte buffers.
      TaskRunner runner = new TaskRunner(a, dir, 3, 64);
      for (int m = 0; m < files.size(); m++) {
        runner.runMap(TaskId.map(m), files.get(m), 3);
      }
      long read = 0;
      for (int r = 0; r < 3; r++) {
        TaskStats s = runner.runReduce(TaskId.reduce(r), files.size());
        assertEquals(2, s.extraMergePasses(), app);
        assertTrue(s.intermediateWritten() > 0 && s.intermediateRead() > s.intermediateWritten(), s.toString());
        read += s.intermediateRead();
      }
      List<String> distributed = MrBench.sortedLines(dir);
      assertEquals(naive(a, files), distributed, app + " (seed " + seed + ")");
      assertEquals(distributed, sequential(a, files), app);
      // A re-executed reduce finds its inputs still there and gives the same output.
      runner.runReduce(TaskId.reduce(1), files.size());
      assertEquals(distributed, MrBench.sortedLines(dir));
      try (Stream<Path> s = Files.list(dir)) {
        assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("mr-tmp-")), "temporary runs left behind");
      }
      assertTrue(read > 0);
    }
  }

  @Test
  void sequentialWithTheCombinerEqualsTheLabsSequentialWithout(long seed) throws IOException {
    List<String> files = randomTexts(seed, 40, 300);
    for (String app : List.of("wc", "indexer", "nocrash")) {
      assertEquals(naive(MapReduceApps.load(app), files), sequential(MapReduceApps.load(app), files), app);
    }
  }

  @Test
  void labSequentialIsTheLabsAlgorithm(long seed) throws IOException {
    List<String> files = randomTexts(seed, 40, 300);
    for (String app : List.of("wc", "indexer", "nocrash")) {
      Path out = dir.resolve("lab-" + app).resolve("mr-out-0");
      Files.createDirectories(out.getParent());
      LabSequential.run(MapReduceApps.load(app), files, dir, out);
      assertEquals(naive(MapReduceApps.load(app), files), MrBench.sortedLines(out.getParent()), app);
    }
  }

  /** A combiner that throws on one key. */
  public static final class ThrowingCombiner implements MapReduceApp {
    @Override
    public List<KeyValue> map(String file, String contents) {
      return MapReduceApps.load("wc").map(file, contents);
    }

    @Override
    public List<String> combine(String key, List<String> values) {
      if (key.equals("hat")) {
        throw new IllegalArgumentException("combiner cannot count hats");
      }
      return values;
    }

    @Override
    public String reduce(String key, List<String> values) {
      return Integer.toString(values.size());
    }
  }

  @Test
  void aCombinerThatThrowsFailsTheMapTaskAndWritesNothing() throws IOException {
    Files.writeString(dir.resolve("in.txt"), "the cat in the hat", StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TaskRunner(new ThrowingCombiner(), dir).runMap(TaskId.map(0), "in.txt", 2));
    assertEquals("combiner cannot count hats", e.getMessage());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("in.txt")), s.toList());
    }
  }
}
