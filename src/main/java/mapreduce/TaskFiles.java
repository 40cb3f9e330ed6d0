package mapreduce;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

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
    Path tmp = Files.createTempFile(dir, "mr-tmp-", ".part");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(content);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Encodes pairs as the intermediate file format. */
  public static byte[] encode(List<KeyValue> pairs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(32, pairs.size() * 12));
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes, 1 << 16))) {
      for (KeyValue kv : pairs) {
        writeString(out, kv.key());
        writeString(out, kv.value());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads one intermediate file; a missing file is an error (every map writes all of its partitions). */
  public static void readPairs(Path file, List<KeyValue> into) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      while (true) {
        String key;
        try {
          key = readString(in);
        } catch (EOFException end) {
          return;
        }
        into.add(new KeyValue(key, readString(in)));
      }
    } catch (NoSuchFileException e) {
      throw new IOException("missing intermediate file " + file.getFileName(), e);
    }
  }

  /**
   * Sorts pairs by key, groups equal keys, calls reduce once per key and returns the output in the
   * lab's format, one {@code "key value\n"} line per key in key order.
   */
  public static byte[] reduceAll(MapReduceApp app, List<KeyValue> pairs) {
    List<KeyValue> sorted = new ArrayList<>(pairs);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < sorted.size()) {
      int j = i + 1;
      String key = sorted.get(i).key();
      while (j < sorted.size() && sorted.get(j).key().equals(key)) {
        j++;
      }
      List<String> values = new ArrayList<>(j - i);
      for (int k = i; k < j; k++) {
        values.add(sorted.get(k).value());
      }
      out.append(key).append(' ').append(app.reduce(key, values)).append('\n');
      i = j;
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
