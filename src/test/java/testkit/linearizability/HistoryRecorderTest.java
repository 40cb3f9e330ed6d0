package testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {

  @Test
  void recordsFromManyThreadsWithMonotonicTimesAndKeepsUnreturnedCallsPending() throws Exception {
    HistoryRecorder<KvInput, KvOutput> rec = new HistoryRecorder<>();
    AtomicInteger counter = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int cli = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          String v = "c" + cli + "-" + i;
          rec.record(cli, new KvInput.Append("k", v), () -> {
            counter.incrementAndGet();
            return KvOutput.DONE;
          });
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    HistoryRecorder<KvInput, KvOutput>.Call lost = rec.call(9, new KvInput.Put("k", "maybe"));
    List<Operation<KvInput, KvOutput>> h = rec.history();
    assertEquals(4001, h.size());
    assertEquals(1, h.stream().filter(Operation::isPending).count());
    assertTrue(h.stream().allMatch(op -> op.call() >= 0 && op.call() <= op.ret()));
    assertEquals(Operation.NEVER, h.stream().filter(op -> op.clientId() == 9).findFirst().orElseThrow().ret());
    assertEquals(CheckResult.Outcome.LINEARIZABLE, LinearizabilityChecker.check(KvModel.lab(), h).outcome());

    lost.returned(KvOutput.DONE);
    assertEquals(0, rec.history().stream().filter(Operation::isPending).count());
    assertThrows(IllegalStateException.class, () -> lost.returned(KvOutput.DONE));
  }

  @Test
  void aFailedActionStaysPending() {
    HistoryRecorder<KvInput, KvOutput> rec = new HistoryRecorder<>();
    assertThrows(IllegalStateException.class, () -> rec.record(1, new KvInput.Put("k", "v"), () -> {
      throw new IllegalStateException("timed out");
    }));
    List<Operation<KvInput, KvOutput>> h = rec.history();
    assertEquals(1, h.size());
    assertTrue(h.get(0).isPending());
  }
}
