package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where benchmarks keep their files: the JSON line of a run, and directories emptied before one. */
public final class ResultFile {
  private ResultFile() {}

  /** Writes {@code json} and a newline to {@code out}, creating its directory. */
  public static void write(Path out, String json) throws IOException {
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, json + "\n");
  }

  /** Deletes {@code dir} and everything under it, if it exists. */
  public static void emptyDir(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
