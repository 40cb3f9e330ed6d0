package mapreduce;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab's {@code mrsequential}: map every file in turn, group all pairs by key, reduce each key in
 * key order, write one output file. The distributed job's sorted {@code mr-out-*} lines must equal its lines.
 */
public final class Sequential {
  private Sequential() {}

  /** Runs {@code app} over {@code files} (resolved against {@code dir}) and writes {@code out} atomically. */
  public static void run(MapReduceApp app, List<String> files, Path dir, Path out) throws IOException {
    List<KeyValue> all = new ArrayList<>();
    for (String f : files) {
      all.addAll(app.map(f, TaskFiles.readInput(dir.resolve(f))));
    }
    TaskFiles.writeAtomically(out, TaskFiles.reduceAll(app, all));
  }
}
