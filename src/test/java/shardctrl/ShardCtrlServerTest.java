package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static shardctrl.CtrlGroup.await;
import static shardctrl.CtrlGroup.config;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import testkit.IsolatedKit;
import testkit.SeedExtension;

/**
 * The shard controller as a product, beyond the lab: typed refusals that change nothing, exactly
 * once under retries, Watch (prompt, timing out cleanly, capped, redirected from a follower), and
 * the whole history kept across a restart of every replica from snapshot plus log.
 */
@ExtendWith(SeedExtension.class)
class ShardCtrlServerTest {
  private static ActorTestKit kit;
  private static final AtomicInteger GROUPS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = IsolatedKit.create("ShardCtrlServerTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static CtrlGroup controllers(ShardCtrlSettings settings, long seed) {
    return new CtrlGroup(kit, GroupId.of("sc" + GROUPS.incrementAndGet()), settings, seed).startAll();
  }

  @Test
  void badInputGetsTypedRefusalsAndChangesNothing(long seed) {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      ShardCtrlClient ck = g.client();
      ShardConfig two = config(ck.join(Map.of(1, List.of("a"), 2, List.of("b"))));
      PeerId leader = g.awaitLeader();
      long logBefore = g.status(leader).lastIndex();
      // Malformed whatever the state: refused before the log.
      assertEquals(new CtrlReply.ShardOutOfRange(10, 10), await(ck.move(10, 1)));
      assertEquals(new CtrlReply.ShardOutOfRange(-1, 10), await(ck.move(-1, 1)));
      assertEquals(new CtrlReply.InvalidGid(0), await(ck.move(3, 0)));
      assertEquals(new CtrlReply.InvalidGid(0), await(ck.join(Map.of(0, List.of("z")))));
      assertEquals(new CtrlReply.InvalidGid(-4), await(ck.join(Map.of(-4, List.of("z")))));
      assertEquals(new CtrlReply.InvalidGid(-1), await(ck.leave(-1)));
      assertEquals(new CtrlReply.InvalidServers(7), await(ck.join(Map.of(7, List.of()))));
      assertEquals(new CtrlReply.InvalidServers(7), await(ck.join(Map.of(7, List.of(" ")))));
      assertEquals(new CtrlReply.InvalidServers(7), await(ck.join(Map.of(7, List.of("x".repeat(1025))))));
      assertEquals(new CtrlReply.EmptyRequest(), await(ck.join(Map.of())));
      assertEquals(new CtrlReply.EmptyRequest(), await(ck.leave(List.of())));
      assertEquals(new CtrlReply.InvalidConfigNum(-2), await(ck.query(-2)));
      assertEquals(logBefore, g.status(leader).lastIndex(), "malformed commands never reached the log");
      // Refused by the state: through the log, no new configuration.
      assertEquals(new CtrlReply.GidInUse(2), await(ck.join(Map.of(2, List.of("c"), 3, List.of("d")))));
      assertEquals(new CtrlReply.UnknownGid(9), await(ck.leave(1, 9)));
      assertEquals(new CtrlReply.UnknownGid(9), await(ck.move(0, 9)));
      assertEquals(two, config(ck.query(-1)), "the configuration is unchanged");
      assertEquals(two, config(ck.query(two.num() + 100)), "a number past the latest gives the latest");
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aRetriedWriteIsAppliedOnceAndAnsweredWithItsConfiguration(long seed) {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      PeerId leader = g.awaitLeader();
      CtrlCommand join = CtrlCommand.Join.of(Map.of(5, List.of("s5")));
      ShardConfig first = config(g.execute(leader, 77, 1, join));
      assertEquals(first, config(g.execute(leader, 77, 1, join)), "the duplicate gets the cached result");
      assertEquals(first, config(g.client().query(-1)), "no second configuration");
      assertEquals(new CtrlReply.GidInUse(5), g.execute(leader, 77, 2, join), "a new seq is a new command");
      PeerId follower = g.running().stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      assertEquals(new CtrlReply.WrongLeader(Optional.of(leader)), g.execute(follower, 78, 1, join));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void everyWriteOfAJoinLeaveStormIsAppliedOnceThroughALeaderCrash(long seed) throws Exception {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      g.awaitLeader();
      int clerks = 5;
      // Each clerk's rounds (join two groups, leave one of them: 2 writes) go on until some rounds after
      // the crash, so the crash always meets writes in flight however fast the storm runs. (With a
      // fixed 40 rounds the storm could finish between the watch and the crash on an idle machine.)
      AtomicBoolean crashed = new AtomicBoolean();
      List<CompletableFuture<List<CtrlReply>>> runs = new ArrayList<>();
      for (int c = 0; c < clerks; c++) {
        runs.add(storm(g.client(g.ids.get(c % 3)), STORM_GIDS * (c + 1), 0, -1, crashed, new ArrayList<>()));
      }
      ShardCtrlClient observer = g.client();
      assertTrue(config(observer.watch(9, Duration.ofSeconds(20))).num() >= 10, "the storm is under way");
      PeerId leader = g.awaitLeader();
      g.stop(leader); // mid-storm: proposals in flight are lost or committed; clients retry elsewhere
      crashed.set(true);
      assertTrue(runs.stream().anyMatch(r -> !r.isDone()), "the leader crashed while writes were in flight");
      Thread.sleep(500);
      g.start(leader);
      TreeSet<Integer> expected = new TreeSet<>();
      int writes = 0;
      for (int c = 0; c < clerks; c++) {
        List<CtrlReply> replies = runs.get(c).get(60, TimeUnit.SECONDS);
        for (CtrlReply r : replies) {
          assertInstanceOf(CtrlReply.Config.class, r, "a write applied twice would answer GidInUse/UnknownGid");
        }
        writes += replies.size();
        for (int r = 0; r < replies.size() / 2; r++) expected.add(STORM_GIDS * (c + 1) + 2 * r);
      }
      ShardConfig last = config(g.client().query(-1));
      assertEquals(writes, last.num(), "one configuration per write, no more");
      assertEquals(expected, new TreeSet<>(last.groups().keySet()));
      ShardCtrlLab5ATest.checkBalanced(last);
    } finally {
      g.stopAll();
    }
  }

  /** Gids per clerk of the storm: clerk c joins gids from {@code STORM_GIDS * (c + 1)} on. */
  private static final int STORM_GIDS = 100_000;
  /** Rounds each clerk still runs once it sees the crash. */
  private static final int ROUNDS_AFTER_CRASH = 10;

  /** One clerk's rounds from {@code r} on, until {@link #ROUNDS_AFTER_CRASH} rounds after it saw {@code crashed}. */
  private static CompletableFuture<List<CtrlReply>> storm(ShardCtrlClient ck, int base, int r, int sawCrashAt,
      AtomicBoolean crashed, List<CtrlReply> replies) {
    int saw = sawCrashAt < 0 && crashed.get() ? r : sawCrashAt;
    if (saw >= 0 && r >= saw + ROUNDS_AFTER_CRASH || 2 * r + 1 >= STORM_GIDS) return CompletableFuture.completedFuture(replies);
    int gid = base + 2 * r;
    return ck.join(Map.of(gid, List.of("a" + gid), gid + 1, List.of("b" + gid))).thenApply(x -> add(replies, x))
        .thenCompose(x -> ck.leave(gid + 1)).thenApply(x -> add(replies, x))
        .thenCompose(x -> storm(ck, base, r + 1, saw, crashed, replies)).toCompletableFuture();
  }

  private static List<CtrlReply> add(List<CtrlReply> replies, CtrlReply r) {
    replies.add(r);
    return replies;
  }

  @Test
  void aWatcherGetsTheNewConfigurationPromptlyAfterAJoin(long seed) throws Exception {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      ShardCtrlClient ck = g.client();
      ShardConfig one = config(ck.join(Map.of(1, List.of("a"))));
      ShardCtrlClient watcher = g.client();
      CompletableFuture<CtrlReply> watch = watcher.watch(one.num(), Duration.ofSeconds(20)).toCompletableFuture();
      Thread.sleep(300); // the watch is parked at the leader: nothing newer yet
      assertFalse(watch.isDone(), () -> "answered with no change: " + watch.join());
      ShardConfig two = config(ck.join(Map.of(2, List.of("b"))));
      long joined = System.nanoTime();
      CtrlReply r = watch.get(5, TimeUnit.SECONDS); // far below its 20 s timeout: woken by the join
      long latencyMs = (System.nanoTime() - joined) / 1_000_000;
      assertEquals(new CtrlReply.Config(two), r);
      System.out.println("watch answered " + latencyMs + " ms after the join was acknowledged");
      // A watch behind the latest answers at once with the latest.
      assertEquals(new CtrlReply.Config(two), await(watcher.watch(0, Duration.ofSeconds(20))));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aWatchWithNoChangeTimesOutCleanly(long seed) {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults().withMaxWatch(Duration.ofMillis(400)), seed);
    try {
      ShardCtrlClient ck = g.client();
      ShardConfig one = config(ck.join(Map.of(1, List.of("a"))));
      long start = System.nanoTime();
      assertEquals(new CtrlReply.Unchanged(one.num()), await(ck.watch(one.num(), Duration.ofMillis(250))));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMs >= 250, () -> "timed out early: " + tookMs + " ms");
      start = System.nanoTime();
      assertEquals(new CtrlReply.Unchanged(one.num()), await(ck.watch(one.num(), Duration.ofSeconds(60))),
          "a long watch is cut to max-watch");
      long cappedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(cappedMs >= 400 && cappedMs < 30_000, () -> "capped at max-watch (400 ms): " + cappedMs + " ms");
      assertEquals(new CtrlReply.Unchanged(one.num()), await(ck.watch(one.num(), Duration.ZERO)), "0: only check");
      assertEquals(one, config(ck.query(-1)), "watching changed nothing");
      assertEquals(new CtrlReply.Config(config(ck.join(Map.of(2, List.of("b"))))),
          await(ck.watch(one.num(), Duration.ofSeconds(5))), "the watcher still works after timeouts");
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aWatchSentToAFollowerNamesTheLeader(long seed) {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      config(g.client().join(Map.of(1, List.of("a"))));
      PeerId leader = g.awaitLeader();
      PeerId follower = g.running().stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      TestProbe<CtrlReply> probe = kit.createTestProbe();
      g.server(follower).tell(new ShardCtrlServer.Watch(0, 1_000, probe.ref()));
      assertEquals(new CtrlReply.WrongLeader(Optional.of(leader)), probe.expectMessageClass(CtrlReply.class));
      g.server(follower).tell(new ShardCtrlServer.Watch(0, -1, probe.ref()));
      assertInstanceOf(CtrlReply.Rejected.class, probe.expectMessageClass(CtrlReply.class));
      AkkaShardCtrlClient viaFollower = g.client(follower);
      assertEquals(1, config(viaFollower.watch(0, Duration.ofSeconds(5))).num());
      assertEquals(leader, viaFollower.leader(), "the client followed the hint");
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aWatcherSurvivesALeaderCrash(long seed) throws Exception {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults(), seed);
    try {
      ShardConfig one = config(g.client().join(Map.of(1, List.of("a"))));
      PeerId leader = g.awaitLeader();
      AkkaShardCtrlClient watcher = g.client(leader);
      CompletableFuture<CtrlReply> watch = watcher.watch(one.num(), Duration.ofSeconds(3)).toCompletableFuture();
      Thread.sleep(200);
      g.stop(leader); // the parked watch dies with its server: the client's attempt times out and retries
      ShardConfig two = config(g.client().join(Map.of(2, List.of("b"))));
      CtrlReply r = watch.get(30, TimeUnit.SECONDS);
      assertEquals(new CtrlReply.Config(two), r, "the retried watch found the newer configuration");
    } finally {
      g.stopAll();
    }
  }

  @Test
  void theHistoryIsKeptWhenEveryReplicaRestartsFromSnapshotAndLog(long seed) {
    CtrlGroup g = controllers(ShardCtrlSettings.defaults().withMaxRaftStateBytes(2_000), seed);
    try {
      ShardCtrlClient ck = g.client();
      CtrlStateMachine model = new CtrlStateMachine(ShardCtrlSettings.LAB_SHARDS); // the same commands, applied locally
      List<ShardConfig> made = new ArrayList<>();
      made.add(config(ck.query(0)));
      TreeSet<Integer> groups = new TreeSet<>();
      for (int i = 1; i <= 40; i++) {
        CtrlCommand c;
        if (i % 5 == 0) {
          c = new CtrlCommand.Move(i % 10, groups.first());
        } else if (i % 3 == 0) {
          c = CtrlCommand.Leave.of(groups.pollLast());
        } else {
          groups.add(i);
          c = CtrlCommand.Join.of(Map.of(i, List.of("s" + i + "a", "s" + i + "b")));
        }
        ShardConfig got = config(ck.execute(c));
        assertEquals(model.apply(c), new CtrlReply.Config(got), "the replicas compute what the pure machine does");
        made.add(got);
      }
      PeerId leader = g.awaitLeader();
      testkit.Polled.until(() -> g.status(leader), st -> st.firstIndex() > 1, Duration.ofSeconds(10),
          "the log was compacted into a snapshot");

      g.stopAll();
      g.startAll();
      ShardCtrlClient after = g.client();
      for (ShardConfig c : made) assertEquals(c, config(after.query(c.num())), "config " + c.num() + " after restart");
      assertEquals(made.get(made.size() - 1), config(after.query(-1)));
      // The pins survived too: after the restart the next rebalances still match the pure machine.
      for (int gid : List.of(98, 99)) {
        CtrlCommand join = CtrlCommand.Join.of(Map.of(gid, List.of("s" + gid)));
        assertEquals(model.apply(join), await(after.execute(join)), "join " + gid + " after restart");
      }
      assertTrue(model.pinned().size() > 0, "the history left pinned shards to carry over: " + model.pinned());
    } finally {
      g.stopAll();
    }
  }
}
