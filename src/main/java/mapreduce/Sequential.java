package mapreduce;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab's {@code mrsequential}, made as efficient as the distributed job's tasks and no less:
 * every file in turn is mapped and its pairs combined exactly as a map task does
 * ({@link MapReduceApp#mapCombined}); the groups are folded into one table, a key's values combined again each
 * time their count passes a power of two (so wc keeps a few counts per word, not one per file,
 * and an app without a combiner is left as it is at amortised constant cost); then each key is
 * reduced in key order into one output file. The distributed job's sorted {@code mr-out-*} lines
 * must equal its lines.
 */
public final class Sequential {
  private static final int COMBINE_FROM = 16;

  private Sequential() {}

  /** Runs {@code app} over {@code files} (resolved against {@code dir}) and writes {@code out} atomically. */
  public static void run(MapReduceApp app, List<String> files, Path dir, Path out) throws IOException {
    Map<String, List<String>> all = new HashMap<>();
    for (String f : files) {
      for (Map.Entry<String, List<String>> e : app.mapCombined(f, TaskFiles.readInput(dir.resolve(f))).entrySet()) {
        List<String> vs = all.get(e.getKey());
        if (vs == null) {
          all.put(e.getKey(), new ArrayList<>(e.getValue()));
          continue;
        }
        int before = vs.size();
        vs.addAll(e.getValue());
        if (vs.size() >= COMBINE_FROM && Integer.highestOneBit(vs.size()) > Integer.highestOneBit(before)) {
          all.put(e.getKey(), new ArrayList<>(app.combine(e.getKey(), vs)));
        }
      }
    }
    List<String> keys = new ArrayList<>(all.keySet());
    Collections.sort(keys);
    try (AtomicFile file = AtomicFile.create(out)) {
      TaskRunner.CountingWriter w = new TaskRunner.CountingWriter(file);
      for (String k : keys) {
        w.line(k, app.reduce(k, all.get(k)));
      }
      w.finish();
      file.commit();
    }
  }
}
