package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.rsm.ReadConsistency;
import shardctrl.CtrlGroup;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;
import shardctrl.ShardCtrlSettings;
import testkit.IsolatedKit;
import testkit.SeedExtension;

/**
 * Shardkv Gets served outside the log on the shipped servers ({@link ShardKvServer} over RaftPeer,
 * every message serialized): at every level and every replica a read sees the last acknowledged
 * write and leaves no log entry; a replica that gave a shard away answers WrongGroup for it, and one
 * cut off from its group while the shard moved never answers a linearizable read with the value it
 * still holds. Real time.
 */
@ExtendWith(SeedExtension.class)
class ShardKvReadTest {
  private static final ShardMapping MAPPING = new LabFirstByte(10);
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Lease reads on, as {@code raftkv.raft.read-lease} turns them on in a node. */
  private static final RaftConfig LEASE = RaftConfig.defaults()
      .withReadLease(RaftConfig.ReadLease.withMaxClockDrift(0.1));
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final ActorTestKit kit = IsolatedKit.create("ShardKvReadTest");

  @AfterAll
  static void shutDown() {
    kit.shutdownTestKit();
  }

  /** A controller and groups 100 and 101 (lease reads on), group 100 joined; closed in reverse. */
  private static final class Cluster implements AutoCloseable {
    final String prefix = "skr" + RUNS.incrementAndGet();
    final CtrlGroup ctrl;
    final ShardCtrlClient ck;
    final ActorShardGroup g100;
    final ActorShardGroup g101;
    final ShardKvClient client;

    Cluster(long seed) {
      ctrl = new CtrlGroup(kit, GroupId.of(prefix + "-ctrl"), ShardCtrlSettings.defaults(), seed).startAll();
      ck = ctrl.client();
      g100 = new ActorShardGroup(kit, prefix, ShardKvSettings.of(100, MAPPING), ck, seed, LEASE).startAll();
      g101 = new ActorShardGroup(kit, prefix, ShardKvSettings.of(101, MAPPING), ck, seed, LEASE).startAll();
      client = AkkaShardKvClient.create(kit.system(), MAPPING, ck, ShardKvServer.resolver(kit.system()),
          Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
      CtrlGroup.config(ck.join(Map.of(100, g100.names())));
      g100.awaitSettled(1);
    }

    @Override
    public void close() {
      client.close();
      g100.stopAll();
      g101.stopAll();
      ctrl.stopAll();
    }
  }

  private static KvReply await(CompletionStage<KvReply> stage) {
    return ActorShardGroup.reply(stage, WAIT);
  }

  private static ShardKvCommand.ClientOp get(String key) {
    return ShardKvCommand.ClientOp.of(MAPPING, 0, 0, new KvCommand.Get(key));
  }

  private static ShardKvReply value(String value) {
    return new ShardKvReply.Kv(new KvReply.Value(value));
  }

  @Test
  void everyReplicaReadsTheLastWriteAtEveryLevelWithoutALogEntry(long seed) {
    try (Cluster c = new Cluster(seed)) {
      ActorShardGroup g = c.g100;
      PeerId leader = g.awaitLeader();
      List<PeerId> followers = g.ids.stream().filter(p -> !p.equals(leader)).toList();
      for (int i = 0; i < 5; i++) {
        assertEquals(KvReply.DONE, await(c.client.put("a", "v" + i)));
        // Right after the write is acknowledged: a follower may not have applied it yet, its ReadIndex waits for it.
        for (PeerId f : followers) {
          assertEquals(value("v" + i), g.execute(f, get("a"), ReadConsistency.LINEARIZABLE), "follower " + f);
        }
        assertEquals(value("v" + i), g.execute(leader, get("a"), ReadConsistency.LINEARIZABLE));
        assertEquals(value("v" + i), g.execute(leader, get("a"), ReadConsistency.LEASE));
        assertEquals(value("v" + i), g.execute(leader, get("a"), ReadConsistency.SERIALIZABLE),
            "the leader applied the write before acknowledging it");
      }
      assertEquals(new KvReply.Value("v4"), await(c.client.get("a", ReadConsistency.LINEARIZABLE)));
      assertEquals(new KvReply.Value("v4"), await(c.client.get("a", ReadConsistency.LEASE)));
      assertEquals(new KvReply.Value("v4"), await(c.client.get("a", ReadConsistency.SERIALIZABLE)));
      KvReply scanned = await(c.client.scan("a", "b", 10, ReadConsistency.LINEARIZABLE));
      assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("a", "v4")), false), scanned);
      // Every replica settles on one last index; reads at every level then add nothing to the log.
      TestProbe<Void> probe = kit.createTestProbe();
      long last = probe.awaitAssert(WAIT, Duration.ofMillis(50), () -> {
        List<Long> lasts = g.ids.stream().map(p -> g.status(p).lastIndex()).distinct().toList();
        assertEquals(1, lasts.size(), () -> "last indexes " + lasts);
        return lasts.get(0);
      });
      for (int i = 0; i < 20; i++) {
        for (PeerId p : g.ids) {
          assertEquals(value("v4"), g.execute(p, get("a"), ReadConsistency.LINEARIZABLE));
          assertEquals(value("v4"), g.execute(p, get("a"), ReadConsistency.SERIALIZABLE));
        }
        assertEquals(value("v4"), g.execute(leader, get("a"), ReadConsistency.LEASE));
      }
      for (PeerId p : g.ids) assertEquals(last, g.status(p).lastIndex(), () -> p + " logged a read");
    }
  }

  @Test
  void aReplicaThatLostTheShardAnswersWrongGroupAndNeverItsOldValue(long seed) {
    try (Cluster c = new Cluster(seed)) {
      String key = "a";
      int shard = MAPPING.shardOf(key);
      assertEquals(KvReply.DONE, await(c.client.put(key, "old")));
      c.g100.awaitSettled(1);
      PeerId leader = c.g100.awaitLeader();
      PeerId cutOff = c.g100.ids.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      // The put was acknowledged once committed; the follower applies it a moment later (seed
      // 7067753932865312015 cut it off before that, and its serializable read rightly said NoKey).
      kit.createTestProbe().awaitAssert(WAIT, Duration.ofMillis(20),
          () -> {
            assertEquals(value("old"), c.g100.execute(cutOff, get(key), ReadConsistency.SERIALIZABLE));
            return null;
          });
      c.g100.isolate(cutOff);
      CtrlGroup.config(c.ck.join(Map.of(101, c.g101.names())));
      ShardConfig moved = CtrlGroup.config(c.ck.move(shard, 101));
      c.g101.awaitSettled(moved.num());
      assertEquals(KvReply.DONE, await(c.client.put(key, "new")));

      // Cut off, the replica still serves the shard from what it applied: a serializable read says so
      // (possibly stale, by definition), a linearizable one cannot confirm a read index and is not answered with it.
      assertEquals(value("old"), c.g100.execute(cutOff, get(key), ReadConsistency.SERIALIZABLE));
      ShardKvReply cutOffRead = c.g100.execute(cutOff, get(key), ReadConsistency.LINEARIZABLE);
      // WrongLeader once it has lost its leader, Busy if its read index was asked before and never confirmed.
      KvReply notServed = assertInstanceOf(ShardKvReply.Kv.class, cutOffRead).reply();
      assertTrue(notServed instanceof KvReply.WrongLeader || notServed == KvReply.BUSY, () -> "answered " + cutOffRead);

      // Back in its group, its first definite answer is WrongGroup: it reads at the leader's commit index.
      c.g100.reconnect(cutOff);
      TestProbe<Void> probe = kit.createTestProbe();
      ShardKvReply back = probe.awaitAssert(WAIT, Duration.ofMillis(50), () -> {
        ShardKvReply r = c.g100.execute(cutOff, get(key), ReadConsistency.LINEARIZABLE);
        assertTrue(!(r instanceof ShardKvReply.Kv kv) || kv.reply().isResult(), () -> "not definite yet: " + r);
        return r;
      });
      assertEquals(moved.num(), assertInstanceOf(ShardKvReply.WrongGroup.class, back).configNum());
      c.g100.awaitSettled(moved.num());
      for (PeerId p : c.g100.ids) {
        for (ReadConsistency level : List.of(ReadConsistency.LINEARIZABLE, ReadConsistency.SERIALIZABLE)) {
          assertEquals(new ShardKvReply.WrongGroup(moved.num()), c.g100.execute(p, get(key), level), p + " " + level);
        }
      }
      for (PeerId p : c.g101.ids) {
        assertEquals(value("new"), c.g101.execute(p, get(key), ReadConsistency.LINEARIZABLE), "101's " + p);
      }
      assertEquals(new KvReply.Value("new"), await(c.client.get(key, ReadConsistency.SERIALIZABLE)));
    }
  }
}
