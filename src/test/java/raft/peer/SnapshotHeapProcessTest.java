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
 * A KV state of 96 MiB in a JVM of {@code -Xmx176m}: it fits once with room to spare, twice it
 * would not fit at all (192 MiB; each probe checks {@code maxMemory} against that). The shipped
 * path must get through: the replica writes its snapshot to a {@link SnapshotFiles} file, the
 * leader streams the file in chunks, the follower appends them to its file and restores a fresh
 * replica from it ({@link SnapshotHeapProbe}, 1 to 4 s); and a whole {@code KvServer} on LevelDB
 * snapshots as it is written to and is restored from its file after a restart
 * ({@code kvraft.KvServerSnapshotHeapProbe}, 15 to 30 s). A variant that holds the image in one
 * buffer, on either side and through the server, must run out of memory in the same heap: that
 * shows these cases would catch a double copy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotHeapProcessTest {
  private static final int STATE_MIB = 96;
  private static final List<String> HEAP = List.of("-Xmx176m", "-XX:+UseSerialGC");
  private static final String SERVER_PROBE = "kvraft.KvServerSnapshotHeapProbe";

  /** What a probe printed ({@code @@key value} lines), its exit code and where its output is. */
  private record Run(int exit, Map<String, String> lines, Path log) {
    long number(String key) {
      return Long.parseLong(lines.getOrDefault(key, "-1"));
    }
  }

  private static Run probe(String mode) throws IOException, InterruptedException {
    return probe(SnapshotHeapProbe.class.getName(), mode);
  }

  /** Runs {@code main MODE 96 DIR} in a child JVM of {@link #HEAP}. */
  private static Run probe(String main, String mode) throws IOException, InterruptedException {
    Path dir = Path.of("target", "snapshot-heap", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(dir);
    Path log = dir.resolve(mode + ".log");
    List<String> cmd = JvmLauncher.command(main, HEAP, List.of(mode, String.valueOf(STATE_MIB), dir.resolve("data").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(55, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(mode + " probe did not finish in 55 s; see " + log);
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
  }

  private static void assertOutOfMemory(Run run, String phase) {
    assertEquals(phase, run.lines().get("oom"), () -> "ran out of memory in " + phase + "; see " + run.log() + " "
        + run.lines());
    assertEquals(3, run.exit(), () -> "exit code; see " + run.log());
  }

  @Test
  void aStateThatFitsOnceIsWrittenStreamedInChunksAndRestored() throws Exception {
    Run run = probe("stream");
    assertSucceeded(run);
    assertTrue(run.number("file") >= run.number("state"), () -> "the image holds every value: " + run.lines());
  }

  @Test
  void aServerSnapshotsAStateThatFitsOnceAndIsRestoredFromItsFileAfterARestart() throws Exception {
    Run run = probe(SERVER_PROBE, "stream");
    assertSucceeded(run);
    String[] restored = run.lines().get("restored").split(" ");
    long written = run.number("written");
    long snapshotIndex = Long.parseLong(restored[0]);
    // A snapshot every 8 MiB of log (32 puts): at most that much came back from the log, the rest from the file.
    assertTrue(snapshotIndex >= written - 40, () -> "recovered from a snapshot at " + snapshotIndex + " of " + written);
  }

  /** A follower a little behind holds a state as large as the leader's snapshot when it installs it. */
  @Test
  void aSnapshotReplacesAStateAsLargeAsItself() throws Exception {
    assertSucceeded(probe("replace"));
  }

  @Test
  void aShardGroupSnapshotReplacesAStateAsLargeAsItself() throws Exception {
    assertSucceeded(probe("shardkv-replace"));
  }

  @Test
  void theSameHeapCannotHoldTheImageInOneBufferOnEitherSide() throws Exception {
    assertOutOfMemory(probe("buffered-write"), "write");
    assertOutOfMemory(probe("buffered-restore"), "restore");
  }

  /** In an actor, running out of memory is fatal: Akka ends the JVM (exit code 255) after logging it. */
  @Test
  void theSameServerRunsOutOfMemoryWhenItsStoreBuffersItsSnapshot() throws Exception {
    Run run = probe(SERVER_PROBE, "buffered");
    String output = Files.readString(run.log(), StandardCharsets.UTF_8);
    assertTrue(run.exit() != 0 && !run.lines().containsKey("ok"), () -> "it failed; see " + run.log() + " " + run.lines());
    assertTrue(output.contains("java.lang.OutOfMemoryError"), () -> "out of memory; see " + run.log());
  }
}
