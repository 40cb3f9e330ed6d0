package hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.peer.PeerSettings;
import raft.rsm.GroupClient;
import shardctrl.AkkaShardCtrlClient;
import shardctrl.CtrlReplicaFactory;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlServer;
import shardctrl.ShardCtrlSettings;
import shardkv.AkkaShardKvClient;
import shardkv.LabFirstByte;
import shardkv.ShardKvClient;
import shardkv.ShardKvReplicaFactory;
import shardkv.ShardKvServer;
import shardkv.ShardKvSettings;
import shardkv.ShardMapping;
import testkit.SeedExtension;

/**
 * The sharded store hosted the way it ships: the shard controller's group and two shard groups
 * as Cluster Sharding entities on three nodes (ActorSystems over Artery), pinned by a placement,
 * each group bootstrapped once; configurations name servers by entity id, and clients and groups
 * reach them through sharding ({@link ServiceRefs}). Shards move on join and leave while a client
 * writes, and the store keeps serving after one node crashes.
 */
@ExtendWith(SeedExtension.class)
class ShardKvHostingTest {
  private static final GroupId CTRL = GroupId.of("ctrl");
  private static final GroupId G100 = GroupId.of("g100");
  private static final GroupId G101 = GroupId.of("g101");
  private static final ShardMapping MAPPING = new LabFirstByte(10);
  private static final Duration WAIT = Duration.ofSeconds(40);

  private static PeerId replica(GroupId g, int i) {
    return PeerId.of((g.equals(CTRL) ? "c" : "p") + i);
  }

  private static List<String> names(GroupId g) {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 3; i++) names.add(new ReplicaKey(g, replica(g, i)).entityId());
    return names;
  }

  private static AkkaShardCtrlClient controller(ActorSystem<?> system) {
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) refs.put(replica(CTRL, i), ServiceRefs.of(system, new ReplicaKey(CTRL, replica(CTRL, i))));
    return new AkkaShardCtrlClient(system, refs, new GroupClient.Settings(Duration.ofMillis(500), WAIT));
  }

  /** What a node hosts: controller replicas and shard group servers, each by its group. */
  private static ReplicaFactory hostedOn(ActorSystem<?> system, long seed) {
    PeerSettings peer = PeerSettings.defaults().withTickInterval(KvReplicaFactory.TICK).withSeed(seed);
    CtrlReplicaFactory ctrl = new CtrlReplicaFactory(ShardCtrlSettings.defaults(), RaftConfig.defaults(), peer);
    java.util.concurrent.atomic.AtomicReference<AkkaShardCtrlClient> ck = new java.util.concurrent.atomic.AtomicReference<>();
    Function<ReplicaKey, ReplicaFactory> byKey = key -> {
      if (key.group().equals(CTRL)) return ctrl;
      ck.compareAndSet(null, controller(system));
      return new ShardKvReplicaFactory(g -> ShardKvSettings.of(Integer.parseInt(g.id().substring(1)), MAPPING),
          RaftConfig.defaults(), peer, ck.get(), ServiceRefs.resolver(system));
    };
    return new GroupFactories(byKey);
  }

  private static KvReply await(CompletionStage<KvReply> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no reply: " + e, e);
    }
  }

  private static ShardConfig config(CompletionStage<CtrlReply> stage) {
    try {
      CtrlReply r = stage.toCompletableFuture().get(WAIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      return assertInstanceOf(CtrlReply.Config.class, r, () -> "want a configuration, got " + r).config();
    } catch (Exception e) {
      throw new AssertionError("no reply: " + e, e);
    }
  }

  @Test
  void shardGroupsOnClusterShardingMoveShardsUnderWritesAndSurviveANodeCrash(long seed) {
    try (HostedCluster cluster = new HostedCluster(3, null, seed, null, "")) {
      for (GroupId g : List.of(CTRL, G100, G101))
        for (int i = 0; i < 3; i++) cluster.placement.place(new ReplicaKey(g, replica(g, i + 1)), cluster.address(i));
      cluster.hosting(system -> hostedOn(system, seed)).startAll();
      cluster.awaitMembers(0, 3);
      for (GroupId g : List.of(CTRL, G100, G101)) cluster.bootstrap(0, g);

      ActorSystem<Void> node0 = cluster.node(0);
      AkkaShardCtrlClient ck = controller(node0);
      ShardKvClient client = AkkaShardKvClient.create(node0, MAPPING, ck, ServiceRefs.resolver(node0),
          Duration.ofMillis(500), new ShardKvClient.Settings(Duration.ofMillis(100), WAIT));
      config(ck.join(Map.of(100, names(G100))));
      List<String> keys = new ArrayList<>();
      Map<String, String> expected = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        String k = (char) ('0' + i % 10) + "-k" + i;
        keys.add(k);
        assertEquals(KvReply.DONE, await(client.put(k, "v" + i)));
        expected.put(k, "v" + i);
      }
      ShardConfig two = config(ck.join(Map.of(101, names(G101))));
      assertEquals(5, two.shardsOf(101).size(), two::describe);
      for (String k : keys) { // appends race the shards moving to 101
        assertEquals(KvReply.DONE, await(client.append(k, "+a")));
        expected.merge(k, "+a", String::concat);
      }
      ShardConfig three = config(ck.leave(100));
      assertEquals(10, three.shardsOf(101).size(), three::describe);
      for (String k : keys) {
        assertEquals(KvReply.DONE, await(client.append(k, "+b")));
        expected.merge(k, "+b", String::concat);
      }
      for (String k : keys) assertEquals(new KvReply.Value(expected.get(k)), await(client.get(k)), k);

      // One node (a replica of every group) crashes: two of three replicas keep every group going.
      cluster.crash(2);
      for (String k : keys) {
        assertEquals(KvReply.DONE, await(client.append(k, "+c")));
        expected.merge(k, "+c", String::concat);
      }
      for (String k : keys) assertEquals(new KvReply.Value(expected.get(k)), await(client.get(k)), k);
      ck.close();
    }
  }
}
