package mapreduce;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The lab's {@code mrsequential.go} as it is: every file's pairs from {@link MapReduceApp#map} into
 * one list, the list sorted by key, each run of equal keys reduced, no combiner. It is the
 * baseline issue 14 was written against (99 MB: about 9-14 s of compute here, most of it GC holding
 * one pair object per word), kept next to {@link Sequential}, the efficient single process, so that
 * {@code bench mr} can report the distributed job against both.
 */
public final class LabSequential {
  private LabSequential() {}

  /** Runs {@code app} over {@code files} (resolved against {@code dir}) and writes {@code out} atomically. */
  public static void run(MapReduceApp app, List<String> files, Path dir, Path out) throws IOException {
    List<KeyValue> intermediate = new ArrayList<>();
    for (String f : files) {
      intermediate.addAll(app.map(f, TaskFiles.readInput(dir.resolve(f))));
    }
    intermediate.sort(Comparator.comparing(KeyValue::key));
    try (AtomicFile file = AtomicFile.create(out)) {
      TaskRunner.CountingWriter w = new TaskRunner.CountingWriter(file);
      int i = 0;
      while (i < intermediate.size()) {
        String key = intermediate.get(i).key();
        int j = i;
        List<String> values = new ArrayList<>();
        while (j < intermediate.size() && intermediate.get(j).key().equals(key)) {
          values.add(intermediate.get(j).value());
          j++;
        }
        w.line(key, app.reduce(key, values));
        i = j;
      }
      w.finish();
      file.commit();
    }
  }
}
