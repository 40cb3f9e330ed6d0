package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import shardctrl.CtrlGroup;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;
import shardctrl.ShardCtrlSettings;
import testkit.IsolatedKit;
import testkit.SeedExtension;

/**
 * The shipped shard group server ({@link ShardKvServer} over RaftPeer) with the shipped
 * controller, in one ActorSystem with every message serialized: shards move between groups on
 * join and leave while clients write, a group's leader crashes in the middle of a pull, and bad
 * input gets typed answers. Real time (the clients' retries need a running clock).
 */
@ExtendWith(SeedExtension.class)
class ShardKvServerTest {
  private static final ShardMapping MAPPING = new LabFirstByte(10);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static ActorTestKit kit;
  private static final AtomicInteger RUNS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = IsolatedKit.create("ShardKvServerTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A controller and shard groups for one test; closed in reverse. */
  private static final class Cluster implements AutoCloseable {
    final String prefix = "skv" + RUNS.incrementAndGet();
    final CtrlGroup ctrl;
    final ShardCtrlClient ck;
    final List<ActorShardGroup> groups = new ArrayList<>();
    final ShardKvClient client;

    Cluster(long seed, int chunkBytes, int... gids) {
      this(seed, ShardKvSettings.of(1, MAPPING).withChunkBytes(chunkBytes), null, gids);
    }

    /** Groups with {@code lab}'s settings (but their own gid); their controller requests counted in {@code ctrlRequests} if not null. */
    Cluster(long seed, ShardKvSettings lab, java.util.concurrent.atomic.LongAdder ctrlRequests, int... gids) {
      ctrl = new CtrlGroup(kit, GroupId.of(prefix + "-ctrl"), ShardCtrlSettings.defaults(), seed).startAll();
      ck = ctrl.client();
      ShardCtrlClient groupsCk = ctrlRequests == null ? ck : ctrl.countingClient(ctrlRequests);
      for (int gid : gids) {
        ShardKvSettings s = new ShardKvSettings(gid, lab.mapping(), lab.maxRaftStateBytes(), lab.pollInterval(),
            lab.chunkBytes(), lab.callTimeout(), lab.watchTimeout());
        groups.add(new ActorShardGroup(kit, prefix, s, groupsCk, seed).startAll());
      }
      client = AkkaShardKvClient.create(kit.system(), MAPPING, ck, ShardKvServer.resolver(kit.system()),
          Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
    }

    ActorShardGroup group(int gid) {
      return groups.stream().filter(g -> g.gid == gid).findFirst().orElseThrow();
    }

    ShardConfig join(int gid) {
      return CtrlGroup.config(ck.join(Map.of(gid, group(gid).names())));
    }

    ShardConfig leave(int gid) {
      return CtrlGroup.config(ck.leave(gid));
    }

    @Override
    public void close() {
      groups.forEach(ActorShardGroup::stopAll);
      ctrl.stopAll();
    }
  }

  private static KvReply await(CompletionStage<KvReply> stage) {
    return ActorShardGroup.reply(stage, WAIT);
  }

  /** Keys on every shard of the lab's mapping (first byte mod 10). */
  private static List<String> keys(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) keys.add((char) ('0' + i % 10) + "-key-" + i);
    return keys;
  }

  @Test
  void everyAcknowledgedWriteSurvivesShardsMovingOnJoinAndLeave(long seed) throws Exception {
    try (Cluster c = new Cluster(seed, 64 * 1024, 100, 101, 102)) {
      c.join(100);
      List<String> keys = keys(30);
      Map<String, StringBuilder> expected = new ConcurrentHashMap<>();
      for (String k : keys) {
        assertEquals(KvReply.DONE, await(c.client.put(k, "v" + k + ";")));
        expected.put(k, new StringBuilder("v" + k + ";"));
      }
      // Appenders run through every move; each append is acknowledged before the next, on keys no other writer touches.
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int w = 0; w < 3; w++) {
        int me = w;
        Thread t = new Thread(() -> {
          try {
            for (int i = 0; !stop.get(); i++) {
              String k = keys.get((me + 3 * i) % keys.size()); // keys of their own: the order is known
              String v = "w" + me + "." + i + ";";
              KvReply r = await(c.client.append(k, v));
              if (!(r instanceof KvReply.Done)) throw new AssertionError("append " + k + " answered " + r);
              synchronized (expected) {
                expected.get(k).append(v);
              }
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        }, "appender-" + w);
        t.start();
        writers.add(t);
      }
      ShardConfig c2 = c.join(101);
      Thread.sleep(1_500);
      c.join(102);
      Thread.sleep(1_500);
      c.leave(100);
      Thread.sleep(1_500);
      ShardConfig last = c.leave(101);
      Thread.sleep(1_000);
      stop.set(true);
      for (Thread t : writers) t.join(WAIT.toMillis());
      assertTrue(failures.isEmpty(), () -> "writers failed: " + failures);
      assertTrue(c2.shardsOf(101).size() >= 4, () -> "the join moved shards: " + c2.describe());
      assertEquals(10, last.shardsOf(102).size(), () -> "102 owns everything: " + last.describe());
      // Every append exactly once, in order, wherever the shard went.
      for (String k : keys) {
        assertEquals(new KvReply.Value(expected.get(k).toString()), await(c.client.get(k)), k);
      }
      // Once 102 has everything (pulled and deleted at the old owners), the groups that left hold
      // nothing the store needs: with them gone, everything still reads.
      c.group(102).awaitSettled(last.num());
      c.group(100).stopAll();
      c.group(101).stopAll();
      for (String k : keys) {
        assertEquals(new KvReply.Value(expected.get(k).toString()), await(c.client.get(k)), k);
      }
    }
  }

  @Test
  void aShardPulledInManyChunksArrivesWholeThoughTheNewOwnersLeaderCrashes(long seed) {
    try (Cluster c = new Cluster(seed, 2_000, 100, 101)) {
      c.join(100);
      List<String> keys = keys(200);
      String big = "x".repeat(500);
      for (String k : keys) assertEquals(KvReply.DONE, await(c.client.put(k, k + big)));
      ActorShardGroup g101 = c.group(101);
      PeerId leader = g101.awaitLeader();
      c.join(101);
      // Half the shards move in about 50 chunks of 2 KB; crash the puller's leader while it pulls.
      sleep(300);
      g101.stop(leader);
      sleep(1_000);
      g101.start(leader);
      for (String k : keys) assertEquals(new KvReply.Value(k + big), await(c.client.get(k)), k);
      // And it really is 101 that serves its shards now: 100 is gone.
      ShardConfig last = c.leave(100);
      assertEquals(10, last.shardsOf(101).size());
      for (String k : keys) assertEquals(new KvReply.Value(k + big), await(c.client.get(k)), k);
      g101.awaitSettled(last.num()); // every shard pulled from 100 and deleted there
      c.group(100).stopAll();
      for (String k : keys) assertEquals(new KvReply.Value(k + big), await(c.client.get(k)), k);
    }
  }

  /**
   * The leader learns configurations by Watch: a Move reaches the group well within one watch
   * timeout (the watch answers when the controller applies it), and an idle group costs the
   * controller about one request per watch timeout, where polling every 100 ms would cost 60 in
   * the 6 s below.
   */
  @Test
  void aGroupLearnsConfigurationsByWatchNotByPolling(long seed) {
    java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
    Duration watch = Duration.ofSeconds(3);
    try (Cluster c = new Cluster(seed, ShardKvSettings.of(1, MAPPING).withWatchTimeout(watch), received, 100, 101)) {
      ShardConfig one = c.join(100);
      c.group(100).awaitLearnt(one.num());
      ShardConfig two = c.join(101);
      c.group(101).awaitSettled(two.num());
      c.group(100).awaitSettled(two.num());

      received.reset();
      sleep(6_000);
      long idle = received.sum();
      assertTrue(idle >= 2 && idle <= 8, () -> "the groups' controller requests in 6 s idle: " + idle);

      int shard = two.shardsOf(100).iterator().next();
      ShardConfig three = CtrlGroup.config(c.ck.move(shard, 101));
      Duration learnt = c.group(101).awaitLearnt(three.num());
      org.slf4j.LoggerFactory.getLogger(ShardKvServerTest.class)
          .info("controller requests from the groups in 6 s idle: {}; move learnt after {}", idle, learnt);
      assertTrue(learnt.compareTo(Duration.ofMillis(1_500)) < 0, () -> "group 101 learnt the move after " + learnt);
      c.group(100).awaitSettled(three.num());
      c.group(101).awaitSettled(three.num());
    }
  }

  /**
   * A watch whose answer is lost shows only when it times out. A group leader that hears of a newer
   * configuration (a client routing with it, a group pulling for it) asks the controller at once:
   * here every watch answer after the setup is lost and the watch timeout is 30 s, yet a write
   * routed with the new configuration gets the moved shard to its new owner, which pulls it from the
   * old one, both told only by those hints.
   */
  @Test
  void aHintOfANewerConfigurationIsActedOnWithoutTheWatch(long seed) {
    String prefix = "skv" + RUNS.incrementAndGet();
    CtrlGroup ctrl = new CtrlGroup(kit, GroupId.of(prefix + "-ctrl"), ShardCtrlSettings.defaults(), seed).startAll();
    AtomicBoolean deaf = new AtomicBoolean();
    ShardCtrlClient real = ctrl.client();
    ShardCtrlClient lossyWatches = new ShardCtrlClient() {
      @Override
      public CompletionStage<shardctrl.CtrlReply> execute(shardctrl.CtrlCommand command) {
        return real.execute(command);
      }

      @Override
      public CompletionStage<shardctrl.CtrlReply> watch(long afterNum, Duration timeout) {
        java.util.concurrent.CompletableFuture<shardctrl.CtrlReply> out = new java.util.concurrent.CompletableFuture<>();
        real.watch(afterNum, timeout).whenComplete((r, e) -> {
          if (!deaf.get()) out.complete(r); // once deaf, every answer is lost on its way back
        });
        return out;
      }

      @Override
      public CompletionStage<List<raft.core.RaftStatus>> status() {
        return real.status();
      }

      @Override
      public void close() {}
    };
    ShardKvSettings settings = ShardKvSettings.of(1, MAPPING).withWatchTimeout(Duration.ofSeconds(30));
    List<ActorShardGroup> groups = new ArrayList<>();
    try {
      for (int gid : new int[] {100, 101}) {
        ShardKvSettings s = new ShardKvSettings(gid, MAPPING, 0, settings.pollInterval(), settings.chunkBytes(),
            settings.callTimeout(), settings.watchTimeout());
        groups.add(new ActorShardGroup(kit, prefix, s, lossyWatches, seed).startAll());
      }
      ActorShardGroup g100 = groups.get(0);
      ActorShardGroup g101 = groups.get(1);
      CtrlGroup.config(real.join(Map.of(100, g100.names())));
      ShardConfig two = CtrlGroup.config(real.join(Map.of(101, g101.names())));
      g100.awaitSettled(two.num());
      g101.awaitSettled(two.num());
      ShardKvClient client = AkkaShardKvClient.create(kit.system(), MAPPING, real, ShardKvServer.resolver(kit.system()),
          Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
      int shard = two.shardsOf(100).iterator().next();
      String key = java.util.stream.IntStream.range(0, 256).mapToObj(i -> (char) i + "-hinted")
          .filter(k -> MAPPING.shardOf(k) == shard).findFirst().orElseThrow(); // on the shard that moves
      assertEquals(KvReply.DONE, await(client.put(key, "before")));

      deaf.set(true);
      ShardConfig three = CtrlGroup.config(real.move(shard, 101));
      sleep(1_500); // no hint yet: the deaf watches must not have told either group (else this test proves nothing)
      assertEquals(two.num(), g101.appliedConfig(), "group 101 learnt the move without a hint");
      assertEquals(two.num(), g100.appliedConfig(), "group 100 learnt the move without a hint");

      client.close(); // it routes with config 2, which group 100 still serves
      ShardKvClient fresh = AkkaShardKvClient.create(kit.system(), MAPPING, real, ShardKvServer.resolver(kit.system()),
          Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
      long start = System.nanoTime();
      assertEquals(KvReply.DONE, await(fresh.append(key, "+after"))); // routed with config 3: group 101 hears of it
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, () -> "the write routed with config 3 took " + took);
      assertEquals(new KvReply.Value("before+after"), await(fresh.get(key)));
      assertTrue(g101.appliedConfig() >= three.num(), () -> "group 101 at " + g101.appliedConfig() + ", group 100 at " + g100.appliedConfig() + " after the write took " + took + ", the client routed with " + fresh.cachedConfig().describe());
      g100.awaitLearnt(three.num()); // from group 101's pull for config 3
      g100.awaitSettled(three.num());
      g101.awaitSettled(three.num());
      org.slf4j.LoggerFactory.getLogger(ShardKvServerTest.class)
          .info("with every watch answer lost, the write routed with config {} took {}", three.num(), took);
      fresh.close();
    } finally {
      groups.forEach(ActorShardGroup::stopAll);
      ctrl.stopAll();
    }
  }

  @Test
  void badInputGetsTypedAnswers(long seed) {
    try (Cluster c = new Cluster(seed, 64 * 1024, 100)) {
      ShardConfig one = c.join(100);
      ActorShardGroup g = c.group(100);
      PeerId leader = g.awaitLeader();
      // A write without a sequence number would escape deduplication: refused before the log.
      ShardKvReply noSeq = g.execute(leader, ShardKvCommand.ClientOp.of(MAPPING, 7, 0, new KvCommand.Put("a", "1")));
      assertInstanceOf(KvReply.Rejected.class, assertInstanceOf(ShardKvReply.Kv.class, noSeq).reply());
      ShardKvReply huge = g.execute(leader,
          ShardKvCommand.ClientOp.of(MAPPING, 7, 1, new KvCommand.Put("a", "v".repeat(2 * 1024 * 1024))));
      assertInstanceOf(KvReply.Rejected.class, assertInstanceOf(ShardKvReply.Kv.class, huge).reply());
      // A key sent under another shard's number: WrongGroup, never applied to the wrong shard.
      int wrongShard = (MAPPING.shardOf("a") + 1) % 10;
      assertInstanceOf(ShardKvReply.WrongGroup.class,
          g.execute(leader, new ShardKvCommand.ClientOp(7, 2, wrongShard, new KvCommand.Put("a", "1"))));
      // A lease read where the group has no lease configured: refused, typed, naming the levels allowed.
      KvReply lease = assertInstanceOf(ShardKvReply.Kv.class, g.execute(leader,
          ShardKvCommand.ClientOp.of(MAPPING, 0, 0, new KvCommand.Get("a")), raft.rsm.ReadConsistency.LEASE)).reply();
      assertTrue(assertInstanceOf(KvReply.Rejected.class, lease).reason().contains("linearizable, serializable"),
          lease::toString);
      // A follower points at the leader.
      PeerId follower = g.ids.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      KvReply fromFollower = assertInstanceOf(ShardKvReply.Kv.class,
          g.execute(follower, ShardKvCommand.ClientOp.of(MAPPING, 7, 3, new KvCommand.Put("a", "1")))).reply();
      assertInstanceOf(KvReply.WrongLeader.class, fromFollower);
      // Waits for the group to take configuration 1, then the key reads as never written.
      assertEquals(1, one.num());
      assertEquals(KvReply.NO_KEY, await(c.client.get("a")));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
