package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kvraft.KvReply;
import org.junit.jupiter.api.AfterAll;
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
 * Each shard group replica reports the shards it is pulling ({@link ShardKvMetrics}): while the
 * previous owner is down the new owner's replicas all report the shards moved to them, and 0 once
 * the owner is back and every shard is installed; a stopped replica reports 0.
 */
@ExtendWith(SeedExtension.class)
class ShardKvMetricsTest {
  private static final ShardMapping MAPPING = new LabFirstByte(10);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ActorTestKit kit = IsolatedKit.create("ShardKvMetricsTest");

  @AfterAll
  static void shutDown() {
    kit.shutdownTestKit();
  }

  /** The last count each replica reported, by group and replica. */
  private final Map<String, Integer> reported = new ConcurrentHashMap<>();

  private ShardKvMetrics.Factory recording() {
    return (group, peer) -> shards -> reported.put(group + "/" + peer, shards);
  }

  private void awaitReported(ActorShardGroup g, int shards) {
    TestProbe<Void> probe = kit.createTestProbe();
    probe.awaitAssert(WAIT, Duration.ofMillis(50), () -> {
      for (PeerId p : g.ids) assertEquals(shards, reported.get(g.group + "/" + p), g.group + "/" + p + " in " + reported);
      return null;
    });
  }

  @Test
  void theNewOwnersReplicasReportTheShardsTheyPullUntilEveryOneIsInstalled(long seed) {
    CtrlGroup ctrl = new CtrlGroup(kit, GroupId.of("skm-ctrl"), ShardCtrlSettings.defaults(), seed).startAll();
    ShardCtrlClient ck = ctrl.client();
    ActorShardGroup g100 = new ActorShardGroup(kit, "skm", ShardKvSettings.of(100, MAPPING), ck, seed)
        .reportingTo(recording()).startAll();
    ActorShardGroup g101 = new ActorShardGroup(kit, "skm", ShardKvSettings.of(101, MAPPING), ck, seed)
        .reportingTo(recording()).startAll();
    ShardKvClient client = AkkaShardKvClient.create(kit.system(), MAPPING, ck, ShardKvServer.resolver(kit.system()),
        Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
    try {
      CtrlGroup.config(ck.join(Map.of(100, g100.names())));
      for (int i = 0; i < 10; i++) assertEquals(KvReply.DONE, ActorShardGroup.reply(client.put(i + "-key", "v"), WAIT));
      g100.awaitSettled(1);
      awaitReported(g100, 0);
      awaitReported(g101, 0); // owns nothing yet, reports all the same

      g100.stopAll(); // nobody answers 101's pulls now
      awaitReported(g100, 0);
      ShardConfig two = CtrlGroup.config(ck.join(Map.of(101, g101.names())));
      int moved = (int) two.shards().stream().filter(gid -> gid == 101).count();
      assertEquals(5, moved, () -> "the rebalance gives 101 half the shards: " + two);
      awaitReported(g101, moved);
      PeerId restarted = g101.ids.get(2);
      g101.stop(restarted);
      assertEquals(0, reported.get(g101.group + "/" + restarted), "a stopped replica pulls nothing");
      g101.start(restarted);
      awaitReported(g101, moved); // recovered from its journal: still pulling

      g100.startAll();
      g101.awaitSettled(two.num());
      awaitReported(g101, 0);
    } finally {
      client.close();
      g100.stopAll();
      g101.stopAll();
      ctrl.stopAll();
    }
  }
}
