package mapreduce.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab's {@code nparallel}: leave a marker file {@code mr-worker-<phase>-<pid>} in the working
 * directory, count the markers whose process is alive, sleep 1 s, remove the marker.
 */
final class Parallelism {
  private Parallelism() {}

  static int count(String phase) {
    long pid = ProcessHandle.current().pid();
    String prefix = "mr-worker-" + phase + "-";
    Path mine = Path.of(prefix + pid);
    try {
      Files.write(mine, "x".getBytes(StandardCharsets.UTF_8));
      int alive = 0;
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("."), prefix + "*")) {
        for (Path p : dir) {
          String rest = p.getFileName().toString().substring(prefix.length());
          if (isAlive(rest)) {
            alive++;
          }
        }
      }
      Thread.sleep(1000);
      Files.deleteIfExists(mine);
      return alive;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static boolean isAlive(String pidText) {
    try {
      return ProcessHandle.of(Long.parseLong(pidText)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
