package mapreduce;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What to run: the app's name, the input files (one map task each) and the number of reduce tasks. */
public record JobSpec(String app, List<String> files, int nReduce) {
  public static final int DEFAULT_REDUCES = 10;

  public JobSpec {
    files = List.copyOf(files);
  }

  /**
   * Checks everything that can be checked before a job starts; throws {@link BadJobException} with
   * a message naming the problem. Files are resolved against {@code dir}.
   */
  public JobSpec validate(Path dir) {
    if (nReduce < 1) {
      throw new BadJobException("the number of reduce tasks must be at least 1, got " + nReduce);
    }
    if (files.isEmpty()) {
      throw new BadJobException("no input files given");
    }
    MapReduceApps.load(app);
    for (String f : files) {
      Path p = dir.resolve(f);
      if (!Files.exists(p)) {
        throw new BadJobException("input file not found: " + f);
      }
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw new BadJobException("input file is not a readable regular file: " + f);
      }
    }
    return this;
  }
}
