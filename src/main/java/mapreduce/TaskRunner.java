package mapreduce;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one map or reduce task against the files in a directory (a worker's working directory,
 * shared with the coordinator and the other workers as in the lab). No actors, so it is tested and
 * reused by the sequential reference directly.
 */
public final class TaskRunner {
  private final MapReduceApp app;
  private final Path dir;

  public TaskRunner(MapReduceApp app, Path dir) {
    this.app = app;
    this.dir = dir;
  }

  /** Map task: reads the input file, calls map, writes {@code mr-X-Y} for every partition Y (empty ones too). */
  public void runMap(TaskId task, String file, int nReduce) throws IOException {
    String contents = TaskFiles.readInput(dir.resolve(file));
    List<KeyValue> pairs = app.map(file, contents);
    List<List<KeyValue>> parts = new ArrayList<>(nReduce);
    for (int r = 0; r < nReduce; r++) {
      parts.add(new ArrayList<>());
    }
    for (KeyValue kv : pairs) {
      parts.get(TaskFiles.partition(kv.key(), nReduce)).add(kv);
    }
    for (int r = 0; r < nReduce; r++) {
      TaskFiles.writeAtomically(dir.resolve(TaskFiles.intermediateName(task.index(), r)), TaskFiles.encode(parts.get(r)));
    }
  }

  /** Reduce task Y: reads {@code mr-X-Y} of every map X, reduces key by key, writes {@code mr-out-Y}. */
  public void runReduce(TaskId task, int nMap) throws IOException {
    List<KeyValue> pairs = new ArrayList<>();
    for (int m = 0; m < nMap; m++) {
      TaskFiles.readPairs(dir.resolve(TaskFiles.intermediateName(m, task.index())), pairs);
    }
    TaskFiles.writeAtomically(dir.resolve(TaskFiles.outputName(task.index())), TaskFiles.reduceAll(app, pairs));
  }
}
