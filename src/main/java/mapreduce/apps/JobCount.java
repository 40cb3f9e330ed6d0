package mapreduce.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code jobcount}: every map call leaves a marker file and sleeps 2-5 s; reduce counts the markers. */
public final class JobCount implements MapReduceApp {
  private static final AtomicInteger COUNT = new AtomicInteger();

  @Override
  public List<KeyValue> map(String file, String contents) {
    Path marker = Path.of("mr-worker-jobcount-" + ProcessHandle.current().pid() + "-" + COUNT.getAndIncrement());
    try {
      Files.write(marker, "x".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Parallelism.sleep(2000 + ThreadLocalRandom.current().nextInt(3000));
    return List.of(new KeyValue("a", "x"));
  }

  @Override
  public String reduce(String key, List<String> values) {
    int invocations = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("."), "mr-worker-jobcount*")) {
      for (Path ignored : dir) {
        invocations++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Integer.toString(invocations);
  }

  @Override
  public String name() {
    return "jobcount";
  }
}
