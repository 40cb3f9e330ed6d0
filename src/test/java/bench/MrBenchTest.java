package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The MapReduce benchmark's accounting: the coordinator's timeline and the workers' totals become the JSON fields. */
class MrBenchTest {
  private static final String COORDINATOR_LOG = "[   0.4s] maps 0/240 reduces 0/10 reissued 0 workers 0 (map)\n"
      + "job done in 5.1 s (3.90 s from the first worker joining to the last output): app wc, ...\n"
      + "timeline: started=10000 first-join=11000 last-join=11200 workers=2 first-idle-in-map=13700 maps-done=13800 "
      + "done=14900 stopped=14950 | join 1.20 s, map 2.80 s (barrier wait 0.10 s), reduce 1.10 s, linger 0.05 s\n";

  private static final String WORKER_LOG = "12:00:00.000 INFO  mapreduce.Worker - worker totals: 120 maps, 5 reduces, "
      + "input 49000000 B, intermediate written %d B read %d B, output 150000 B, extra merge passes 1, busy 2500 ms, "
      + "waiting for a task 40 ms, process cpu %d ms\n";
  private static final String BY_THREAD = "; cpu by thread: task %d ms, akka 300 ms, jit 200 ms, gc 50 ms, main 400 ms, other 10 ms\n";

  @Test
  void phasesComeFromTheTimelineAndTheBenchsOwnClock() {
    MrBench.Phases p = MrBench.phases(COORDINATOR_LOG, 9500, 15200);
    assertEquals(new MrBench.Phases(1.7, 2.8, 0.1, 1.1, 0.05, 0.25, 3.9, 4.2), p);
    assertThrows(IllegalArgumentException.class, () -> MrBench.phases("no timeline", 0, 0));
  }

  @Test
  void workerTotalsAreSummed() {
    MrBench.WorkerTotals t = MrBench.totals(List.of(String.format(WORKER_LOG, 1000, 900, 4000), String.format(WORKER_LOG, 10, 20, 3500)));
    assertEquals(new MrBench.WorkerTotals(1010, 920, 2, 5.0, 0.08, 7.5), t);
  }

  @Test
  void processCpuIsReadFromTheLastLinesAndUnknownWhenAWorkerDidNotSayIt() {
    String old = String.format(WORKER_LOG, 1, 2, 0).replace(", process cpu 0 ms", "");
    assertEquals(-1, MrBench.totals(List.of(String.format(WORKER_LOG, 1, 2, 900), old)).cpuS());
    assertEquals(-1, MrBench.totals(List.of("no totals here")).cpuS());
    assertEquals(2.5, MrBench.processCpu(COORDINATOR_LOG + "coordinator process cpu 2500 ms\n"), 1e-9);
    assertEquals(3.1, MrBench.processCpu("sequential wc over 240 files in 2.80 s -> mr-out-0 (process cpu 3100 ms)\n"), 1e-9);
    assertEquals(-1, MrBench.processCpu(COORDINATOR_LOG));
  }

  @Test
  void cpuByThreadIsTheLastLineOfEachProcessSummedAndUnknownWhenOneDidNotSayIt() {
    String w1 = String.format(WORKER_LOG, 1, 2, 900).replace("\n", "") + String.format(BY_THREAD, 700);
    String w2 = String.format(WORKER_LOG, 1, 2, 900).replace("\n", "") + String.format(BY_THREAD, 1) + "later: "
        + String.format(BY_THREAD, 500);
    assertEquals(List.of(1.2, 0.6, 0.4, 0.1, 0.8, 0.02), MrBench.cpuByThread(List.of(w1, w2)));
    assertEquals(List.of(), MrBench.cpuByThread(List.of(w1, String.format(WORKER_LOG, 1, 2, 900))));
    // The totals line still parses with the breakdown after it.
    assertEquals(1.8, MrBench.totals(List.of(w1, w2)).cpuS(), 1e-9);
  }

  @Test
  void jsonLineHasTheHeadlineRunAndWhereItsTimeWent() throws Exception {
    MrBench.Options o = new MrBench.Options(Optional.empty(), 30, Path.of("books"), 10, true, Optional.of("256m"), List.of(), Path.of("x"));
    MrBench.Run one = new MrBench.Run(1, 9.0, MrBench.phases(COORDINATOR_LOG, 9500, 15200),
        MrBench.totals(List.of(String.format(WORKER_LOG, 1000, 900, 4000))), 2.0, List.of(), List.of());
    MrBench.Run two = new MrBench.Run(2, 5.7, MrBench.phases(COORDINATOR_LOG, 9500, 15200),
        MrBench.totals(List.of(String.format(WORKER_LOG, 1000, 900, 4000), String.format(WORKER_LOG, 10, 20, 3500))), 2.5,
        List.of(3.0, 0.6, 0.4, 0.1, 0.8, 0.02), List.of(0.1, 1.5, 0.6, 0.05, 0.3, 0.0));
    String line = MrBench.json(new MrBench.Result(o, 240, 99_000_000, 2, 3.5, 6.0, 5.2, 5.0, List.of(0.0, 0.0, 0.3, 0.2, 4.4, 0.1),
        List.of(one, two)));
    JsonNode j = new ObjectMapper().readTree(line);
    assertEquals(2, j.get("workers").asInt());
    assertEquals(5.7, j.get("seconds").asDouble(), 1e-9);
    assertEquals(0.95, j.get("ratio").asDouble(), 1e-3);
    assertEquals(3.9, j.get("job_s").asDouble(), 1e-9);
    assertEquals(0.75, j.get("job_ratio").asDouble(), 1e-3);
    assertEquals("256m", j.get("worker_heap").asText());
    for (String f : List.of("sequential_s", "sequential_compute_s", "job_exit_s", "join_s", "map_s", "barrier_wait_s",
        "reduce_s", "linger_s", "exit_s", "intermediate_written_bytes", "intermediate_read_bytes", "extra_merge_passes",
        "worker_busy_s", "worker_wait_s", "load_avg", "input_mb", "sequential_cpu_s", "worker_cpu_s", "coordinator_cpu_s")) {
      assertTrue(j.has(f), f + " missing in " + line);
    }
    assertEquals(1010, j.get("intermediate_written_bytes").asLong());
    assertEquals(920, j.get("intermediate_read_bytes").asLong());
    assertEquals(7.5, j.get("worker_cpu_s").asDouble(), 1e-9);
    assertEquals(2.0, j.get("cpu_ratio").asDouble(), 1e-9); // (7.5 + 2.5) / 5.0
    assertEquals(3.0, j.get("worker_cpu_by_thread").get("task").asDouble(), 1e-9);
    assertEquals(1.5, j.get("coordinator_cpu_by_thread").get("akka").asDouble(), 1e-9);
    assertEquals(4.4, j.get("sequential_cpu_by_thread").get("main").asDouble(), 1e-9);
    assertTrue(j.get("runs").get(0).get("worker_cpu_by_thread").isNull(), line);
    assertEquals(2, j.get("runs").size());
    assertEquals(1, j.get("runs").get(0).get("workers").asInt());
    assertEquals(1000, j.get("runs").get(0).get("intermediate_written_bytes").asLong());
    assertFalse(j.has("lab_sequential_s"), "no lab baseline was asked for: " + line);
    assertFalse(j.has("job_ratio_vs_lab"), line);
  }

  @Test
  void labBaselineAddsItsTimesAndTheRatiosToIt() throws Exception {
    MrBench.Options o = new MrBench.Options(Optional.of(2), 30, Path.of("books"), 10, true, Optional.empty(), List.of(),
        Path.of("x"), true);
    MrBench.Run two = new MrBench.Run(2, 5.7, MrBench.phases(COORDINATOR_LOG, 9500, 15200),
        MrBench.totals(List.of(String.format(WORKER_LOG, 1000, 900, 4000))), 2.5, List.of(), List.of());
    String line = MrBench.json(new MrBench.Result(o, 240, 99_000_000, 2, 3.5, 6.0, 5.2, 5.0, List.of(), List.of(two),
        Optional.of(new MrBench.SequentialRun(11.4, 7.8, 12.0))));
    JsonNode j = new ObjectMapper().readTree(line);
    assertEquals(11.4, j.get("lab_sequential_s").asDouble(), 1e-9);
    assertEquals(7.8, j.get("lab_sequential_compute_s").asDouble(), 1e-9);
    assertEquals(12.0, j.get("lab_sequential_cpu_s").asDouble(), 1e-9);
    assertEquals(0.5, j.get("ratio_vs_lab").asDouble(), 1e-3); // 5.7 / 11.4
    assertEquals(0.5, j.get("job_ratio_vs_lab").asDouble(), 1e-3); // 3.9 / 7.8
    assertEquals(0.75, j.get("job_ratio").asDouble(), 1e-3); // against the efficient sequential, unchanged
    assertEquals(0.5, j.get("runs").get(0).get("job_ratio_vs_lab").asDouble(), 1e-3);
  }
}
