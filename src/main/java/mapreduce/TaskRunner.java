package mapreduce;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one map or reduce task against the files in a directory (a worker's working directory,
 * shared with the coordinator and the other workers as in the lab). No actors, so it is tested
 * directly.
 *
 * <p>A map task groups its pairs by key, runs the combiner on each group and writes every partition
 * as a sorted run ({@link IntermediateWriter}). A reduce task merges the runs of its partition as
 * streams ({@link SortedMerge}): at most {@code fanIn} runs at once, so more map tasks than that
 * first get merged into temporary runs (extra passes, the combiner applied again), and memory stays
 * at {@code fanIn} read buffers plus one key's values however much data the partition holds.
 */
public final class TaskRunner {
  /** Runs merged at once: 256 open files and 4 MiB of buffers; 800 map tasks take one extra pass. */
  public static final int DEFAULT_FAN_IN = 256;
  public static final int DEFAULT_BUFFER = 16 * 1024;
  private static final AtomicLong RUNS = new AtomicLong();

  private final MapReduceApp app;
  private final Path dir;
  private final int fanIn;
  private final int bufferSize;

  public TaskRunner(MapReduceApp app, Path dir) {
    this(app, dir, DEFAULT_FAN_IN, DEFAULT_BUFFER);
  }

  public TaskRunner(MapReduceApp app, Path dir, int fanIn, int bufferSize) {
    if (fanIn < 2 || bufferSize < 64) {
      throw new IllegalArgumentException("fanIn must be at least 2 and bufferSize at least 64: " + fanIn + ", " + bufferSize);
    }
    this.app = app;
    this.dir = dir;
    this.fanIn = fanIn;
    this.bufferSize = bufferSize;
  }

  /** Map task: reads the input file, calls map and the combiner, writes {@code mr-X-Y} for every partition Y (empty ones too). */
  public TaskStats runMap(TaskId task, String file, int nReduce) throws IOException {
    long t0 = System.nanoTime();
    Path input = dir.resolve(file);
    long inputBytes = Files.size(input);
    Map<String, List<String>> groups = app.mapCombined(file, TaskFiles.readInput(input));
    List<List<String>> keys = new ArrayList<>(nReduce);
    for (int r = 0; r < nReduce; r++) {
      keys.add(new ArrayList<>());
    }
    for (String k : groups.keySet()) {
      keys.get(TaskFiles.partition(k, nReduce)).add(k);
    }
    long written = 0;
    for (int r = 0; r < nReduce; r++) {
      List<String> part = keys.get(r);
      Collections.sort(part);
      try (IntermediateWriter w = IntermediateWriter.create(dir.resolve(TaskFiles.intermediateName(task.index(), r)))) {
        for (String k : part) {
          w.write(k, groups.get(k));
        }
        written += w.commit();
      }
    }
    return new TaskStats(inputBytes, written, 0, 0, 0, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Reduce task Y: merges {@code mr-X-Y} of every map X by key, reduces key by key, writes {@code mr-out-Y}. */
  public TaskStats runReduce(TaskId task, int nMap) throws IOException {
    long t0 = System.nanoTime();
    List<Path> runs = new ArrayList<>(nMap);
    for (int m = 0; m < nMap; m++) {
      runs.add(dir.resolve(TaskFiles.intermediateName(m, task.index())));
    }
    List<Path> temporary = new ArrayList<>();
    long read = 0;
    long written = 0;
    int passes = 0;
    try {
      while (runs.size() > fanIn) {
        passes++;
        List<Path> next = new ArrayList<>();
        for (int i = 0; i < runs.size(); i += fanIn) {
          List<Path> group = runs.subList(i, Math.min(runs.size(), i + fanIn));
          if (group.size() == 1) {
            next.add(group.get(0));
            continue;
          }
          Path run = dir.resolve("mr-tmp-run-" + task.index() + "-" + ProcessHandle.current().pid() + "-"
              + RUNS.incrementAndGet());
          try (SortedMerge merge = open(group); IntermediateWriter w = IntermediateWriter.create(run)) {
            while (merge.next()) {
              w.write(merge.key(), app.combine(merge.key(), merge.values()));
            }
            written += w.commit();
            read += merge.bytes();
          }
          temporary.add(run);
          next.add(run);
        }
        runs = next;
      }
      long outBytes;
      Path out = dir.resolve(TaskFiles.outputName(task.index()));
      try (SortedMerge merge = open(runs); AtomicFile file = AtomicFile.create(out)) {
        CountingWriter w = new CountingWriter(file);
        while (merge.next()) {
          w.line(merge.key(), app.reduce(merge.key(), merge.values()));
        }
        outBytes = w.finish();
        file.commit();
        read += merge.bytes();
      }
      return new TaskStats(0, written, read, outBytes, passes, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      for (Path p : temporary) {
        Files.deleteIfExists(p);
      }
    }
  }

  private SortedMerge open(List<Path> runs) throws IOException {
    List<IntermediateReader> readers = new ArrayList<>(runs.size());
    try {
      for (Path p : runs) {
        readers.add(IntermediateReader.open(p, bufferSize));
      }
      return new SortedMerge(readers);
    } catch (IOException | RuntimeException e) {
      for (IntermediateReader r : readers) {
        r.close();
      }
      throw e;
    }
  }

  /** The output's {@code "key value\n"} lines through one buffer, counting UTF-8 bytes. */
  static final class CountingWriter {
    private final Writer out;
    private long bytes;

    CountingWriter(AtomicFile file) {
      this.out = new BufferedWriter(new OutputStreamWriter(file.stream(), StandardCharsets.UTF_8), 64 * 1024);
    }

    void line(String key, String value) throws IOException {
      out.write(key);
      out.write(' ');
      out.write(value);
      out.write('\n');
      bytes += utf8Length(key) + utf8Length(value) + 2;
    }

    long finish() throws IOException {
      out.flush();
      return bytes;
    }

    private static long utf8Length(String s) {
      long n = s.length();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          n += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1;
        }
      }
      return n;
    }
  }
}
