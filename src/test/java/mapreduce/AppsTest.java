package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's conventions in files and apps: ihash, tokenizing, output format, atomic writes, plugin loading. */
class AppsTest {
  @TempDir Path dir;

  @Test
  void ihashIsFnv1a32Masked() {
    // FNV-1a 32-bit: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968; masked with 0x7fffffff.
    assertEquals(0x811c9dc5 & 0x7fffffff, TaskFiles.ihash(""));
    assertEquals(0xe40c292c & 0x7fffffff, TaskFiles.ihash("a"));
    assertEquals(0xbf9cf968 & 0x7fffffff, TaskFiles.ihash("foobar"));
    assertEquals((0xe40c292c & 0x7fffffff) % 10, TaskFiles.partition("a", 10));
  }

  @Test
  void wcSplitsOnEveryNonLetterAndCountsCaseSensitively() {
    MapReduceApp wc = MapReduceApps.load("wc");
    List<KeyValue> kv = wc.map("f", "It's a dog-eat-dog world; naïve Ünïcode 42 it\n");
    List<String> words = kv.stream().map(KeyValue::key).toList();
    assertEquals(List.of("It", "s", "a", "dog", "eat", "dog", "world", "naïve", "Ünïcode", "it"), words);
    assertTrue(kv.stream().allMatch(p -> p.value().equals("1")));
    assertEquals("3", wc.reduce("dog", List.of("1", "1", "1")));
  }

  @Test
  void wcCountsInPlaceExactlyAsCombiningItsPairs() throws IOException {
    MapReduceApp wc = MapReduceApps.load("wc");
    // Non-ASCII letters (BMP and beyond: U+1D400 is a letter, U+1F600 is not), digits, edges.
    String odd = "naïve Ünïcode \uD835\uDC00x \uD83D\uDE00 42abc déjà-vu ß Straße it It it";
    assertEquals(MapOutput.combined(wc, wc.map("f", odd)), wc.mapCombined("f", odd));
    assertEquals(List.of("3"), wc.mapCombined("f", "it it\nit").get("it"));
    try (Stream<Path> books = Files.list(Path.of("../shared/data/pg"))) {
      for (Path b : books.filter(p -> p.getFileName().toString().startsWith("pg-")).toList()) {
        String text = TaskFiles.readInput(b);
        assertEquals(MapOutput.combined(wc, wc.map(b.toString(), text)), wc.mapCombined(b.toString(), text), b.toString());
      }
    }
  }

  @Test
  void indexerEmitsEachWordOncePerDocumentAndSortsNames() {
    MapReduceApp ix = MapReduceApps.load("indexer");
    assertEquals(List.of(new KeyValue("a", "../d1"), new KeyValue("b", "../d1")), ix.map("../d1", "a b a"));
    assertEquals("2 ../a.txt,../b.txt", ix.reduce("x", List.of("../b.txt", "../a.txt")));
  }

  @Test
  void nocrashEmitsTheCrashAppsPairs() {
    MapReduceApp nc = MapReduceApps.load("nocrash");
    assertEquals(List.of(new KeyValue("a", "f.txt"), new KeyValue("b", "5"), new KeyValue("c", "3"), new KeyValue("d", "xyzzy")),
        nc.map("f.txt", "héj".substring(0, 2)));
    assertEquals("1 2 3", nc.reduce("b", List.of("3", "1", "2")));
    assertEquals("crash", MapReduceApps.load("crash").name());
  }

  @Test
  void appsLoadByShortNameOrClassName() {
    for (String name : MapReduceApps.builtInNames()) {
      assertEquals(name, MapReduceApps.load(name).name());
    }
    assertEquals("wc", MapReduceApps.load("mapreduce.apps.WordCount").name());
    BadJobException e = assertThrows(BadJobException.class, () -> MapReduceApps.load("nope"));
    assertTrue(e.getMessage().contains("unknown app 'nope'") && e.getMessage().contains("wc, indexer"), e.getMessage());
    BadJobException notApp = assertThrows(BadJobException.class, () -> MapReduceApps.load("java.lang.String"));
    assertTrue(notApp.getMessage().contains("does not implement"), notApp.getMessage());
  }

  @Test
  void mapThenReduceMatchesSequentialAndLeavesNoTempFiles() throws IOException {
    Files.writeString(dir.resolve("in1.txt"), "the cat and the hat", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("in2.txt"), "The hat\nof the cat", StandardCharsets.UTF_8);
    List<String> files = List.of("in1.txt", "in2.txt");
    MapReduceApp wc = MapReduceApps.load("wc");
    TaskRunner runner = new TaskRunner(wc, dir);
    runner.runMap(TaskId.map(0), "in1.txt", 3);
    runner.runMap(TaskId.map(1), "in2.txt", 3);
    runner.runMap(TaskId.map(1), "in2.txt", 3); // a duplicate execution just replaces the same files
    for (int r = 0; r < 3; r++) {
      runner.runReduce(TaskId.reduce(r), 2);
    }
    Sequential.run(wc, files, dir, dir.resolve("mr-correct.txt"));
    List<String> distributed = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      Files.readAllLines(dir.resolve(TaskFiles.outputName(r))).stream().filter(l -> !l.isEmpty()).forEach(distributed::add);
    }
    distributed.sort(null);
    List<String> sequential = new ArrayList<>(Files.readAllLines(dir.resolve("mr-correct.txt")));
    sequential.sort(null);
    assertEquals(List.of("The 1", "and 1", "cat 2", "hat 2", "of 1", "the 3"), sequential);
    assertEquals(sequential, distributed);
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("mr-tmp-")), "temporary files left behind");
    }
  }
}
