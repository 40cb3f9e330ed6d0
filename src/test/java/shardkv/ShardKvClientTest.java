package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import shardctrl.ShardConfig;

/** {@link ShardKvClient} against scripted groups and controller, on a hand-driven clock. */
class ShardKvClientTest {
  record Sent(int gid, ShardKvCommand.ClientOp op) {}

  final List<Sent> sent = new ArrayList<>();
  final ArrayDeque<Runnable> timers = new ArrayDeque<>();
  long now;

  static ShardConfig allOn(long num, int gid) {
    TreeMap<Integer, List<String>> groups = new TreeMap<>();
    groups.put(gid, List.of("s" + gid));
    return new ShardConfig(num, Collections.nCopies(10, gid), groups);
  }

  void runTimers() {
    while (!timers.isEmpty()) {
      now += 100;
      timers.poll().run();
    }
  }

  ShardKvClient client(ShardKvClient.Groups groups, ShardKvClient.Configs configs, Duration deadline) {
    long[] ids = {1};
    return new ShardKvClient(new LabFirstByte(10), groups, configs, (d, t) -> timers.add(t), () -> now,
        new ShardKvClient.Settings(Duration.ofMillis(100), deadline), () -> ids[0]++);
  }

  @Test
  void wrongGroupRefreshesAndRetriesTheSameWriteAtTheNewGroup() {
    ShardConfig[] latest = {allOn(1, 100)};
    ShardKvClient c = client((gid, servers, op) -> {
      sent.add(new Sent(gid, op));
      if (gid == 100) { // the shard moved to 101 before this attempt was applied
        latest[0] = allOn(2, 101);
        return CompletableFuture.completedFuture(new ShardKvReply.WrongGroup(2));
      }
      return CompletableFuture.completedFuture(new ShardKvReply.Kv(KvReply.DONE));
    }, () -> CompletableFuture.completedFuture(latest[0]), null);
    CompletableFuture<KvReply> put = c.put("k", "v").toCompletableFuture();
    runTimers(); // the first config refresh (cache starts at config 0)
    runTimers();
    assertEquals(KvReply.DONE, put.join());
    assertEquals(List.of(100, 101), sent.stream().map(Sent::gid).toList());
    assertEquals(sent.get(0).op(), sent.get(1).op(), "same client id, seq and shard at both groups");
    assertEquals(2, c.cachedConfig().num());
  }

  @Test
  void concurrentWritesUseDistinctSessionsAndSequentialOnesReuseOne() {
    List<CompletableFuture<ShardKvReply>> pending = new ArrayList<>();
    ShardKvClient c = client((gid, servers, op) -> {
      sent.add(new Sent(gid, op));
      CompletableFuture<ShardKvReply> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }, () -> CompletableFuture.completedFuture(allOn(1, 100)), null);
    CompletionStage<KvReply> a = c.put("a", "1");
    CompletionStage<KvReply> b = c.put("b", "2");
    runTimers();
    assertNotEquals(sent.get(0).op().clientId(), sent.get(1).op().clientId());
    pending.forEach(f -> f.complete(new ShardKvReply.Kv(KvReply.DONE)));
    assertEquals(KvReply.DONE, a.toCompletableFuture().join());
    assertEquals(KvReply.DONE, b.toCompletableFuture().join());
    c.put("c", "3");
    ShardKvCommand.ClientOp third = sent.get(2).op();
    assertEquals(2, third.seq(), "a returned session continues its sequence");
    c.get("a");
    assertEquals(0, sent.get(3).op().seq(), "reads carry seq 0");
  }

  @Test
  void anOperationPastItsDeadlineAnswersTimeout() {
    ShardKvClient c = client((gid, servers, op) -> CompletableFuture.completedFuture(null),
        () -> CompletableFuture.completedFuture(allOn(1, 100)), Duration.ofMillis(1000));
    CompletableFuture<KvReply> get = c.get("x").toCompletableFuture();
    runTimers();
    assertEquals(KvReply.TIMEOUT, get.join());
    assertEquals(true, now >= 1000);
  }

  @Test
  void closingEndsAnOperationThatWouldRetryForeverAndAnswersLaterOnesAtOnce() {
    ShardKvClient c = client((gid, servers, op) -> CompletableFuture.completedFuture(null),
        () -> CompletableFuture.completedFuture(allOn(1, 100)), null);
    CompletableFuture<KvReply> get = c.get("x").toCompletableFuture();
    for (int i = 0; i < 5; i++) { // no deadline: it keeps retrying
      now += 100;
      timers.poll().run();
    }
    assertEquals(false, get.isDone());
    c.close();
    runTimers();
    assertEquals(KvReply.TIMEOUT, get.join());
    assertEquals(KvReply.TIMEOUT, c.put("y", "1").toCompletableFuture().join());
  }
}
