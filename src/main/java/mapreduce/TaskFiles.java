package mapreduce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lab's file conventions: intermediate files {@code mr-X-Y} (map task X, reduce partition Y),
 * outputs {@code mr-out-Y} with lines {@code "key value\n"}, partition = {@code ihash(key) % nReduce}.
 * Every file is written to a temporary file in the same directory and renamed into place, so a
 * worker that dies half-way never leaves a partial file under a name that counts.
 *
 * <p>Intermediate files hold length-prefixed UTF-8 key/value pairs (not the lab's JSON): any
 * string, including spaces and newlines, round-trips.
 */
public final class TaskFiles {
  private TaskFiles() {}

  /** FNV-1a 32-bit of the key's UTF-8 bytes, masked to a non-negative int, as the lab's {@code ihash}. */
  public static int ihash(String key) {
    int h = 0x811c9dc5;
    byte[] b = key.getBytes(StandardCharsets.UTF_8);
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
    Path dir = target.toAbsolutePath().getParent();
    // Unique per process and call; the name never matches mr-out-* or mr-X-Y.
    Path tmp = dir.resolve("mr-tmp-" + target.getFileName() + "-" + ProcessHandle.current().pid() + "-"
        + TEMP_COUNTER.incrementAndGet());
    try {
      Files.write(tmp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static final AtomicLong TEMP_COUNTER = new AtomicLong();

  /** Encodes pairs as the intermediate file format: per pair, key then value, each a 4-byte length and UTF-8 bytes. */
  public static byte[] encode(List<KeyValue> pairs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(32, pairs.size() * 14));
    for (KeyValue kv : pairs) {
      writeString(bytes, kv.key());
      writeString(bytes, kv.value());
    }
    return bytes.toByteArray();
  }

  /** Reads one intermediate file; a missing file is an error (every map writes all of its partitions). */
  public static void readPairs(Path file, List<KeyValue> into) throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("missing intermediate file " + file.getFileName(), e);
    }
    int[] pos = {0};
    while (pos[0] < b.length) {
      String key = readString(b, pos, file);
      into.add(new KeyValue(key, readString(b, pos, file)));
    }
  }

  /**
   * Groups pairs by key, calls reduce once per key (in key order) and returns the output in the
   * lab's format, one {@code "key value\n"} line per key. The lab sorts all pairs first; grouping in a
   * hash map and sorting only the distinct keys gives the same lines with less work.
   */
  public static byte[] reduceAll(MapReduceApp app, List<KeyValue> pairs) {
    Map<String, List<String>> groups = new HashMap<>();
    for (KeyValue kv : pairs) {
      groups.computeIfAbsent(kv.key(), k -> new ArrayList<>()).add(kv.value());
    }
    List<String> keys = new ArrayList<>(groups.keySet());
    Collections.sort(keys);
    StringBuilder out = new StringBuilder(keys.size() * 16);
    for (String key : keys) {
      out.append(key).append(' ').append(app.reduce(key, groups.get(key))).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.write(b, 0, n);
  }

  private static String readString(byte[] b, int[] pos, Path file) throws IOException {
    int p = pos[0];
    if (p + 4 > b.length) {
      throw new IOException("corrupt intermediate file " + file.getFileName() + " at byte " + p);
    }
    int n = ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    p += 4;
    if (n < 0 || p + n > b.length) {
      throw new IOException("corrupt intermediate file " + file.getFileName() + " at byte " + p);
    }
    pos[0] = p + n;
    return new String(b, p, n, StandardCharsets.UTF_8);
  }
}
