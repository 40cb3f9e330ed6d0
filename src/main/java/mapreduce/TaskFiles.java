package mapreduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lab's file conventions: intermediate files {@code mr-X-Y} (map task X, reduce partition Y),
 * outputs {@code mr-out-Y} with lines {@code "key value\n"}, partition = {@code ihash(key) % nReduce}.
 * Every file is written to a temporary file in the same directory and renamed into place, so a
 * worker that dies half-way never leaves a partial file under a name that counts.
 *
 * <p>Intermediate files are sorted runs in a compact binary format (not the lab's JSON), written by
 * {@link IntermediateWriter} and streamed back by {@link IntermediateReader}: any string,
 * including spaces and newlines, round-trips.
 */
public final class TaskFiles {
  private TaskFiles() {}

  /** FNV-1a 32-bit of the key's UTF-8 bytes, masked to a non-negative int, as the lab's {@code ihash}. */
  public static int ihash(String key) {
    int h = 0x811c9dc5;
    int n = key.length();
    int i = 0;
    while (i < n && key.charAt(i) < 0x80) { // ASCII: the chars are the UTF-8 bytes
      h ^= key.charAt(i++);
      h *= 0x01000193;
    }
    if (i == n) {
      return h & 0x7fffffff;
    }
    byte[] b = key.substring(i).getBytes(StandardCharsets.UTF_8);
    for (byte x : b) {
      h ^= (x & 0xff);
      h *= 0x01000193;
    }
    return h & 0x7fffffff;
  }

  public static int partition(String key, int nReduce) {
    return ihash(key) % nReduce;
  }

  public static String intermediateName(int map, int reduce) {
    return "mr-" + map + "-" + reduce;
  }

  public static String outputName(int reduce) {
    return "mr-out-" + reduce;
  }

  /** Reads a whole input file as UTF-8 (malformed bytes become U+FFFD, the same for every reader). */
  public static String readInput(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  /** Writes {@code content} to {@code target} atomically: a temporary file in the same directory, then a rename. */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    try (AtomicFile f = AtomicFile.create(target)) {
      f.stream().write(content);
      f.commit();
    }
  }
}
