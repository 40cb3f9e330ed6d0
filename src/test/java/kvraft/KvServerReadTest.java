package kvraft;

import static kvraft.KvGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.rsm.ReadConsistency;
import testkit.SeedExtension;

/**
 * Reads without log entries: linearizable (ReadIndex) on the leader and on a follower, which
 * must see a write the leader acknowledged just before; serializable from a replica's local state,
 * even with no leader. Three servers, in-memory journal, local transport, every message serialized.
 */
@ExtendWith(SeedExtension.class)
class KvServerReadTest {
  private static ActorTestKit kit;
  private static final AtomicInteger GROUPS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create("KvServerReadTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static KvGroup group(long seed) {
    return new KvGroup(kit, GroupId.of("r" + GROUPS.incrementAndGet()), KvSettings.defaults(), seed).startAll();
  }

  private static KvReply read(KvGroup g, PeerId p, ReadConsistency level) {
    TestProbe<KvReply> probe = kit.createTestProbe();
    g.server(p).tell(new KvServer.Execute(0, 0, new KvCommand.Get("k"), level, probe.ref()));
    return probe.expectMessageClass(KvReply.class, KvGroup.TIMEOUT);
  }

  @Test
  void aLinearizableReadOnAnyReplicaSeesTheLastAcknowledgedWriteAndAppendsNothing(long seed) {
    KvGroup g = group(seed);
    try {
      PeerId leader = g.awaitLeader();
      for (int i = 1; i <= 5; i++) {
        assertEquals(KvReply.DONE, g.execute(leader, 7, i, new KvCommand.Put("k", "v" + i)));
        long last = g.status(leader).lastIndex();
        // Asked right after the leader answered: a follower may not have applied it yet, and must wait.
        for (PeerId p : g.ids) {
          assertEquals(new KvReply.Value("v" + i), read(g, p, ReadConsistency.LINEARIZABLE), p + " after write " + i);
        }
        assertEquals(last, g.status(leader).lastIndex(), "reads appended to the log");
      }
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aSerializableReadNeedsNoLeaderButALinearizableOneDoes(long seed) {
    KvGroup g = group(seed);
    try {
      PeerId leader = g.awaitLeader();
      assertEquals(KvReply.DONE, g.execute(leader, 7, 1, new KvCommand.Put("k", "v")));
      long index = g.status(leader).commitIndex();
      PeerId survivor = g.ids.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      g.awaitApplied(survivor, index);
      for (PeerId p : g.ids) if (!p.equals(survivor)) g.stop(p);
      // A majority is gone: nobody can confirm a read index, but the local state is there to read.
      assertEquals(new KvReply.Value("v"), read(g, survivor, ReadConsistency.SERIALIZABLE));
      KvReply linearizable = read(g, survivor, ReadConsistency.LINEARIZABLE);
      assertTrue(linearizable instanceof KvReply.WrongLeader || linearizable instanceof KvReply.Busy,
          "a linearizable read without a quorum must not be answered from local state: " + linearizable);
    } finally {
      g.stopAll();
    }
  }

  @Test
  void aLeaseReadOnAGroupWithoutReadLeasesIsRefusedNotServedAsAnotherLevel(long seed) {
    KvGroup g = group(seed);
    try (AkkaKvClient c = g.client()) {
      PeerId leader = g.awaitLeader();
      assertEquals(KvReply.DONE, await(c.put("k", "v")));
      KvReply r = read(g, leader, ReadConsistency.LEASE);
      assertTrue(r instanceof KvReply.Rejected rej && rej.reason().contains("lease reads are not configured"), r.toString());
      KvReply viaClient = await(c.get("k", ReadConsistency.LEASE));
      assertTrue(viaClient instanceof KvReply.Rejected, viaClient.toString());
    } finally {
      g.stopAll();
    }
  }

  @Test
  void theClientReadsAtTheLevelAskedFor(long seed) {
    KvGroup g = group(seed);
    try (AkkaKvClient c = g.client()) {
      assertEquals(KvReply.DONE, await(c.put("k", "v")));
      assertEquals(new KvReply.Value("v"), await(c.get("k")));
      assertEquals(new KvReply.Value("v"), await(c.get("k", ReadConsistency.LINEARIZABLE)));
      // The client last heard from the leader, which applied the put before answering it.
      assertEquals(new KvReply.Value("v"), await(c.get("k", ReadConsistency.SERIALIZABLE)));
      assertEquals(new KvReply.Scanned(java.util.List.of(new KvReply.Entry("k", "v")), false),
          await(c.execute(new KvCommand.Scan("", null, 0), ReadConsistency.SERIALIZABLE)));
    } finally {
      g.stopAll();
    }
  }
}
