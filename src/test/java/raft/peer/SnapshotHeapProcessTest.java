package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bench.JvmLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KV state of 96 MiB in a JVM of {@code -Xmx160m}: it fits once with room to spare, twice it
 * would not fit at all (192 MiB). The shipped path (the replica writes its snapshot to a
 * {@link SnapshotFiles} file, the leader streams the file in chunks, the follower appends them to
 * its file and restores a fresh replica from it) must get through; a variant that holds the image
 * in one buffer, on either side, must run out of memory in the same JVM, which is what shows this
 * test would catch a double copy. Each case is a {@link SnapshotHeapProbe} child JVM (1 to 4 s).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotHeapProcessTest {
  private static final int STATE_MIB = 96;
  private static final List<String> HEAP = List.of("-Xmx160m", "-XX:+UseSerialGC");

  /** What a probe printed ({@code @@key value} lines), its exit code and where its output is. */
  private record Run(int exit, Map<String, String> lines, Path log) {
    long number(String key) {
      return Long.parseLong(lines.getOrDefault(key, "-1"));
    }
  }

  private static Run probe(String mode) throws IOException, InterruptedException {
    Path dir = Path.of("target", "snapshot-heap", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(dir);
    Path log = dir.resolve(mode + ".log");
    List<String> cmd = JvmLauncher.command(SnapshotHeapProbe.class.getName(), HEAP,
        List.of(mode, String.valueOf(STATE_MIB), dir.resolve("snapshots").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(40, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(mode + " probe did not finish in 40 s; see " + log);
    }
    Map<String, String> lines = new HashMap<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (!line.startsWith("@@")) continue;
      String[] kv = line.substring(2).split(" ", 2);
      lines.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    Run run = new Run(p.exitValue(), lines, log);
    // The calibration the whole test rests on: the state fits in this heap, twice it does not.
    long state = run.number("state");
    long max = run.number("max");
    assertEquals((long) STATE_MIB << 20, state, () -> "the probe built the state; see " + log);
    assertTrue(max > 0 && max < 2 * state, () -> "a heap of " + max + " bytes cannot hold 2 x " + state + "; see " + log);
    return run;
  }

  private static void assertSucceeded(Run run) {
    assertEquals(0, run.exit(), () -> "exit code; see " + run.log() + " " + run.lines());
    assertTrue(run.lines().containsKey("ok"), () -> "it restored and checked every key; see " + run.log());
    assertTrue(run.number("file") >= run.number("state"), () -> "the image holds every value: " + run.lines());
  }

  private static void assertOutOfMemory(Run run, String phase) {
    assertEquals(phase, run.lines().get("oom"), () -> "ran out of memory in " + phase + "; see " + run.log() + " "
        + run.lines());
    assertEquals(3, run.exit(), () -> "exit code; see " + run.log());
  }

  @Test
  void aStateThatFitsOnceIsWrittenStreamedInChunksAndRestored() throws Exception {
    assertSucceeded(probe("stream"));
  }

  /** A follower a little behind holds a state as large as the leader's snapshot when it installs it. */
  @Test
  void aSnapshotReplacesAStateAsLargeAsItself() throws Exception {
    assertSucceeded(probe("replace"));
  }

  @Test
  void theSameHeapCannotHoldTheImageInOneBufferOnEitherSide() throws Exception {
    assertOutOfMemory(probe("buffered-write"), "write");
    assertOutOfMemory(probe("buffered-restore"), "restore");
  }
}
