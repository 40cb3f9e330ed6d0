package kvraft;

import static kvraft.KvGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import testkit.SeedExtension;

/**
 * Three KV servers in one JVM (in-memory journal, local transport, every message serialized),
 * driven through {@link AkkaKvClient}. Each test uses its own group, so journals do not mix.
 */
@ExtendWith(SeedExtension.class)
class KvServerTest {
  private static ActorTestKit kit;
  private static final AtomicInteger GROUPS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create("KvServerTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static KvGroup group(KvSettings settings, long seed) {
    return new KvGroup(kit, GroupId.of("g" + GROUPS.incrementAndGet()), settings, seed).startAll();
  }

  @Test
  void everyOperationThroughTheClient(long seed) {
    KvGroup g = group(KvSettings.defaults(), seed);
    try (AkkaKvClient c = g.client()) {
      assertEquals(KvReply.NO_KEY, await(c.get("a")));
      assertEquals(KvReply.DONE, await(c.put("a", "1")));
      assertEquals(KvReply.DONE, await(c.append("a", "2")));
      assertEquals(new KvReply.Value("12"), await(c.get("a")));
      assertEquals(new KvReply.CasResult(false, "12"), await(c.cas("a", "x", "3")));
      assertEquals(new KvReply.CasResult(true, "12"), await(c.cas("a", "12", "3")));
      assertEquals(new KvReply.CasResult(true, null), await(c.cas("b", null, "4")));
      assertEquals(KvReply.DONE, await(c.put("c", "5")));
      assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("a", "3"), new KvReply.Entry("b", "4")), true),
          await(c.scan("a", null, 2)));
      assertEquals(KvReply.DONE, await(c.delete("b")));
      assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("a", "3"), new KvReply.Entry("c", "5")), false),
          await(c.scan("", null, 0)));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void concurrentWritesThroughOneClientAreEachAppliedOnce(long seed) throws Exception {
    KvGroup g = group(KvSettings.defaults(), seed);
    try (AkkaKvClient c = g.client()) {
      List<java.util.concurrent.CompletableFuture<KvReply>> writes = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) writes.add(c.append("k", "<" + i + ">").toCompletableFuture());
      for (var w : writes) assertEquals(KvReply.DONE, await(w));
      String value = ((KvReply.Value) await(c.get("k"))).value();
      for (int i = 0; i < 40; i++) {
        String token = "<" + i + ">";
        assertEquals(value.indexOf(token), value.lastIndexOf(token), () -> token + " once in " + value);
        assertTrue(value.contains(token), () -> token + " in " + value);
      }
    } finally {
      g.stopAll();
    }
  }

  @Test
  void clientFindsTheServersThroughTheReceptionist(long seed) throws Exception {
    KvGroup g = group(KvSettings.defaults(), seed);
    try (AkkaKvClient c = AkkaKvClient.viaReceptionist(kit.system(), g.group, 3, KvGroup.TIMEOUT,
        AkkaKvClient.Settings.defaults()).toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS)) {
      assertEquals(KvReply.DONE, await(c.put("r", "1")));
      assertEquals(new KvReply.Value("1"), await(c.get("r")));
      assertEquals(3, c.status().toCompletableFuture().get().size());
    } finally {
      g.stopAll();
    }
  }

  @Test
  void followerAnswersWrongLeaderWithHintAndTheClientFollowsIt(long seed) {
    KvGroup g = group(KvSettings.defaults(), seed);
    try {
      PeerId leader = g.awaitLeader();
      PeerId follower = g.ids.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      assertEquals(new KvReply.WrongLeader(Optional.of(leader)), g.execute(follower, 1, 1, new KvCommand.Put("k", "v")));
      try (AkkaKvClient c = g.client(follower)) {
        assertEquals(follower, c.leader(), "the client starts at the follower");
        assertEquals(KvReply.DONE, await(c.put("k", "v")));
        assertEquals(leader, c.leader(), "the client followed the hint and caches the leader");
      }
    } finally {
      g.stopAll();
    }
  }

  @Test
  void oversizedValueIsRejectedAndNothingIsProposed(long seed) {
    KvGroup g = group(new KvSettings(0, new KvLimits(64, 100, 10)), seed);
    try (AkkaKvClient c = g.client()) {
      assertEquals(KvReply.DONE, await(c.put("k", "small")));
      PeerId leader = g.awaitLeader();
      long before = g.status(leader).lastIndex();
      assertInstanceOf(KvReply.Rejected.class, await(c.put("k", "x".repeat(101))));
      assertInstanceOf(KvReply.Rejected.class, await(c.put("k".repeat(65), "v")));
      assertInstanceOf(KvReply.Rejected.class, await(c.scan("a", null, 11)));
      assertInstanceOf(KvReply.Rejected.class, g.execute(leader, 9, 0, new KvCommand.Put("k", "no seq")));
      assertEquals(before, g.status(leader).lastIndex(), "nothing reached the log");
      assertEquals(new KvReply.Value("small"), await(c.get("k")));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void theSameClientIdAndSeqIsAppliedOnce(long seed) {
    KvGroup g = group(KvSettings.defaults(), seed);
    try (AkkaKvClient c = g.client()) {
      PeerId leader = g.awaitLeader();
      KvCommand append = new KvCommand.Append("k", "x");
      assertEquals(KvReply.DONE, g.execute(leader, 77, 1, append));
      assertEquals(KvReply.DONE, g.execute(leader, 77, 1, append), "a duplicate gets the cached result");
      assertEquals(KvReply.DONE, g.execute(leader, 77, 2, append));
      assertEquals(new KvReply.Value("xx"), await(c.get("k")));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void clientCompletesOnTheNewLeaderWhenTheLeadersServerStops(long seed) {
    KvGroup g = group(KvSettings.defaults(), seed);
    try (AkkaKvClient c = g.client()) {
      assertEquals(KvReply.DONE, await(c.put("k", "1")));
      PeerId old = g.awaitLeader();
      g.stop(old);
      assertEquals(KvReply.DONE, await(c.append("k", "2")));
      assertNotEquals(old, c.leader());
      assertEquals(new KvReply.Value("12"), await(c.get("k")));
    } finally {
      g.stopAll();
    }
  }

  @Test
  void snapshotsTrimTheLogAndCarryTheDataAndSessions(long seed) {
    KvGroup g = group(KvSettings.defaults().withMaxRaftStateBytes(1_000), seed);
    try {
      PeerId leader = g.awaitLeader();
      PeerId lagging = g.ids.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      assertEquals(KvReply.DONE, g.execute(leader, 5, 1, new KvCommand.Append("dup", "once")));
      g.stop(lagging);
      try (AkkaKvClient c = g.client(leader)) {
        for (int i = 0; i < 60; i++) assertEquals(KvReply.DONE, await(c.put("k" + (i % 7), "value-" + i)));
      }
      RaftStatus ls = testkit.Polled.until(() -> g.status(leader), st -> st.firstIndex() > 10, java.time.Duration.ofSeconds(10),
          "the leader's log was trimmed");

      g.start(lagging); // too far behind: the leader sends its snapshot
      RaftStatus caughtUp = g.awaitApplied(lagging, ls.commitIndex());
      assertTrue(caughtUp.firstIndex() > 10, () -> "restored from a snapshot: " + caughtUp);

      g.stopAll(); // every replica restarts from its snapshot plus the log after it
      g.startAll();
      PeerId newLeader = g.awaitLeader();
      assertEquals(KvReply.DONE, g.execute(newLeader, 5, 1, new KvCommand.Append("dup", "once")),
          "the session survived the snapshot: the retry is answered from it");
      try (AkkaKvClient c = g.client()) {
        assertEquals(new KvReply.Value("once"), await(c.get("dup")));
        for (int i = 53; i < 60; i++) assertEquals(new KvReply.Value("value-" + i), await(c.get("k" + (i % 7))));
      }
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aClientWhoseSessionExpiredOpensANewOneAndEachWriteAppliesOnce(long seed) {
    KvGroup g = group(KvSettings.defaults().withMaxSessions(1), seed);
    try (AkkaKvClient a = g.client(); AkkaKvClient b = g.client()) {
      StringBuilder expected = new StringBuilder();
      for (int i = 0; i < 6; i++) {
        AkkaKvClient c = i % 2 == 0 ? a : b; // each write forgets the other client's session
        assertEquals(KvReply.DONE, await(c.append("s", "<" + i + ">")), "write " + i);
        expected.append("<").append(i).append(">");
      }
      assertEquals(new KvReply.Value(expected.toString()), await(a.get("s")));
      PeerId leader = g.awaitLeader();
      assertEquals(KvReply.SESSION_EXPIRED, g.execute(leader, 4242, 7, new KvCommand.Append("s", "never")),
          "a write of a session the replicas do not hold is refused");
      assertEquals(new KvReply.Value(expected.toString()), await(a.get("s")), "and not applied");
    } finally {
      g.stopAll();
    }
  }
}
