package mapreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A worker process killed in the middle of a task: the cluster reports its node unreachable, the
 * coordinator downs it and hands the task out at once (not after the 10 s timeout).
 */
class WorkerLossTest {

  @Test
  void killedWorkersTaskIsReissuedWhenItsNodeIsUnreachable() throws Exception {
    try (MrProcesses run = new MrProcesses("worker-loss")) {
      Process coordinator = run.coordinator("jobcount", MrProcesses.books().subList(0, 2));
      Process doomed = run.worker("worker-killed", "jobcount");
      // jobcount leaves mr-worker-jobcount-<pid>-0 when its first map starts; each map sleeps 2-5 s.
      long deadline = System.nanoTime() + MrProcesses.TIMEOUT.toNanos();
      while (!hasMarker(run.dir, doomed.pid())) {
        assertTrue(System.nanoTime() < deadline && doomed.isAlive(), "first worker never started a map");
        MrProcesses.sleep(20);
      }
      doomed.destroyForcibly();
      Process survivor = run.worker("worker-survivor", "jobcount");
      assertEquals(0, run.await(coordinator), run.tail("coordinator"));
      run.await(survivor);
      String log = run.log("coordinator");
      assertTrue(log.contains("unreachable: re-issuing [map 0]"),
          "map 0 was not re-issued on unreachability:\n" + run.tail("coordinator"));
      assertTrue(log.contains("1 tasks re-issued"), run.tail("coordinator"));
    }
  }

  private static boolean hasMarker(Path dir, long pid) throws Exception {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "mr-worker-jobcount-" + pid + "-*")) {
      return s.iterator().hasNext();
    }
  }
}
