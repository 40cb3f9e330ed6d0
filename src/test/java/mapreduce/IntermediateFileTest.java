package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intermediate format: round trip through small buffers, atomic writes, and every kind of damage reported. */
class IntermediateFileTest {
  @TempDir Path dir;

  private static Map<String, List<String>> sample() {
    Map<String, List<String>> m = new TreeMap<>();
    m.put("", List.of(""));
    m.put("k y", List.of("v\nw", "", "x"));
    m.put("naïve", List.of("Ünïcode 😀"));
    m.put("long", List.of("x".repeat(70_000), "é".repeat(40_000)));
    m.put("no values", List.of());
    for (int i = 0; i < 500; i++) {
      m.put("w" + i, List.of(Integer.toString(i)));
    }
    return m;
  }

  private Path write(String name, Map<String, List<String>> m) throws IOException {
    Path p = dir.resolve(name);
    try (IntermediateWriter w = IntermediateWriter.create(p)) {
      for (Map.Entry<String, List<String>> e : m.entrySet()) {
        w.write(e.getKey(), e.getValue());
      }
      w.commit();
    }
    return p;
  }

  private static Map<String, List<String>> read(Path p, int buffer) throws IOException {
    Map<String, List<String>> m = new TreeMap<>();
    try (IntermediateReader r = IntermediateReader.open(p, buffer)) {
      while (r.next()) {
        m.put(r.key(), List.copyOf(r.values()));
      }
      assertFalse(r.next(), "stays at the end");
    }
    return m;
  }

  @Test
  void roundTripsAnyStringThroughAnyBufferSize() throws IOException {
    Path p = write("mr-0-0", sample());
    for (int buffer : new int[] {64, 100, 4096, 1 << 20}) {
      assertEquals(sample(), read(p, buffer), "buffer " + buffer);
    }
    assertEquals(Map.of(), read(write("mr-0-1", Map.of()), 64));
  }

  @Test
  void isCompact() throws IOException {
    Map<String, List<String>> m = new TreeMap<>();
    for (int i = 0; i < 1000; i++) {
      m.put("word" + i, List.of("1"));
    }
    // per key: tag, length, ~7 bytes of key, count, length, 1 byte of value; 4 + 13 bytes around.
    long size = Files.size(write("mr-0-0", m));
    assertTrue(size < 1000 * 13 + 17, "size " + size);
  }

  @Test
  void writesAtomicallyAndRefusesKeysOutOfOrder() throws IOException {
    Path target = write("mr-1-0", Map.of("a", List.of("old")));
    try (IntermediateWriter w = IntermediateWriter.create(target)) {
      w.write("b", List.of("1"));
      assertThrows(IllegalArgumentException.class, () -> w.write("a", List.of("2")));
      // closed without commit: the target keeps its old content and no temporary file is left
    }
    assertEquals(Map.of("a", List.of("old")), read(target, 64));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(target), s.toList());
    }
  }

  @Test
  void reportsDamageNamingTheFile() throws IOException {
    byte[] good = Files.readAllBytes(write("mr-2-0", sample()));
    IOException missing = assertThrows(IOException.class, () -> IntermediateReader.open(dir.resolve("mr-9-9"), 64));
    assertTrue(missing.getMessage().contains("missing intermediate file mr-9-9"), missing.getMessage());
    assertCorrupt(java.util.Arrays.copyOf(good, good.length - 3), "truncated");
    assertCorrupt(java.util.Arrays.copyOf(good, 2000), "");
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x01;
    assertCorrupt(flipped, "");
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertCorrupt(magic, "bad magic");
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertCorrupt(trailing, "bytes after the trailer");
    assertCorrupt(new byte[0], "truncated");
  }

  private void assertCorrupt(byte[] content, String what) throws IOException {
    Path p = dir.resolve("mr-3-0");
    Files.write(p, content);
    IOException e = assertThrows(IOException.class, () -> read(p, 128));
    assertTrue(e.getMessage().startsWith("corrupt intermediate file mr-3-0 at byte ") && e.getMessage().contains(what),
        e.getMessage());
  }

  @Test
  void sortedMergeGathersEveryRunsValuesInKeyOrder() throws IOException {
    List<IntermediateReader> readers = new ArrayList<>();
    readers.add(IntermediateReader.open(write("a", new TreeMap<>(Map.of("b", List.of("1"), "d", List.of("2")))), 64));
    readers.add(IntermediateReader.open(write("b", new TreeMap<>(Map.of("a", List.of("3"), "b", List.of("4", "5")))), 64));
    readers.add(IntermediateReader.open(write("c", Map.of()), 64));
    List<String> seen = new ArrayList<>();
    try (SortedMerge m = new SortedMerge(readers)) {
      while (m.next()) {
        seen.add(m.key() + "=" + m.values());
      }
    }
    assertEquals(List.of("a=[3]", "b=[1, 4, 5]", "d=[2]"), seen);
  }
}
