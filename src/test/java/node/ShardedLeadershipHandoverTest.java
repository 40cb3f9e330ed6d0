package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.peer.MembershipStatus;
import shardkv.ShardKvServer;

/**
 * Three sharded nodes (an ActorSystem each over Artery in this JVM, {@link ShardedNode#startAll})
 * with group 100 and the controller on all three: the handover that {@code bin/raftkv node} runs in
 * CoordinatedShutdown ({@link ShardedNode#leadershipHandover}) moves a shard group's and the
 * controller's leadership off a stopping leader's node within one election timeout, the controller
 * answering at once under its new leader, and a follower's node moves nothing.
 */
class ShardedLeadershipHandoverTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final GroupId G100 = ShardedSpec.groupOf(100);
  private static final GroupId CTRL = ShardedSpec.CONTROLLER;

  /** {@code group}'s leader as its replicas report it, waiting for one other than {@code not}. */
  private static MembershipStatus awaitLeader(ShardedNode through, GroupId group, Optional<PeerId> not) throws InterruptedException {
    AkkaGroupAdmin admin = admin(through, group);
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      Optional<MembershipStatus> l = GroupAdmin.await(admin.members(), WAIT).leader().filter(s -> !Optional.of(s.peer()).equals(not));
      if (l.isPresent()) return l.get();
      Thread.sleep(20);
    }
    throw new AssertionError(group + " had no leader" + not.map(n -> " other than " + n).orElse("") + " within " + WAIT);
  }

  private static AkkaGroupAdmin admin(ShardedNode through, GroupId group) {
    if (group.equals(CTRL)) {
      Map<PeerId, ActorRef<shardctrl.ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
      for (String n : List.of("n1", "n2", "n3")) refs.put(PeerId.of(n), ServiceRefs.of(through.system(), new ReplicaKey(group, PeerId.of(n))));
      return new AkkaGroupAdmin(through.system(), refs, ReplicaMove.SHARD_CTRL, Duration.ofSeconds(2), WAIT);
    }
    Map<PeerId, ActorRef<ShardKvServer.Command>> refs = new LinkedHashMap<>();
    for (String n : List.of("n1", "n2", "n3")) refs.put(PeerId.of(n), ServiceRefs.of(through.system(), new ReplicaKey(group, PeerId.of(n))));
    return new AkkaGroupAdmin(through.system(), refs, ReplicaMove.SHARD_KV, Duration.ofSeconds(2), WAIT);
  }

  private static Map<GroupId, LeadershipHandover.Outcome> byGroup(List<LeadershipHandover.Outcome> outcomes) {
    Map<GroupId, LeadershipHandover.Outcome> out = new LinkedHashMap<>();
    for (LeadershipHandover.Outcome o : outcomes) out.put(o.group(), o);
    assertEquals(2, out.size(), "one replica of group 100 and one of the controller on each node: " + outcomes);
    return out;
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aLeadersNodeHandsItsShardGroupAndControllerLeadershipOverAndAFollowersMovesNothing() throws Exception {
    Path data = Files.createTempDirectory("sharded-handover-");
    TreeMap<String, String> nodes = new TreeMap<>();
    for (String n : List.of("n1", "n2", "n3")) nodes.put(n, "127.0.0.1:" + ShardedProcessConfs.freePort());
    ShardedSpec spec = new ShardedSpec("n1", nodes, List.of("n1", "n2", "n3"), new TreeMap<>(Map.of(100, List.of("n1", "n2", "n3"))),
        data.resolve("n1"), false, true, List.of()).validate();
    Config config = ConfigFactory.parseString("akka.cluster.split-brain-resolver.stable-after = 3s\n")
        .withFallback(NodeSettings.load(null, ShardedNode.NODE_LAYER));
    Duration electionTimeout = NodeSettings.peerSettings(config).tickInterval()
        .multipliedBy(NodeSettings.raftConfig(config).electionTicks());
    List<ShardedNode> all = ShardedNode.startAll(spec, data, config);
    try {
      for (ShardedNode n : all) n.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Map<String, ShardedNode> byName = new LinkedHashMap<>();
      for (ShardedNode n : all) byName.put(n.spec().self(), n);
      MembershipStatus g100 = awaitLeader(all.get(0), G100, Optional.empty());
      MembershipStatus ctrl = awaitLeader(all.get(0), CTRL, Optional.empty());
      String g100Node = NodePlacement.nodeName(g100.peer());
      String ctrlNode = NodePlacement.nodeName(ctrl.peer());
      // Three nodes, at most two leaders' nodes: one leads neither.
      String followerNode = byName.keySet().stream().filter(n -> !n.equals(g100Node) && !n.equals(ctrlNode)).findFirst().orElseThrow();

      Map<GroupId, LeadershipHandover.Outcome> f = byGroup(GroupAdmin.await(byName.get(followerNode).leadershipHandover().handOver(), WAIT));
      assertEquals(LeadershipHandover.Result.NOT_LEADER, f.get(G100).result(), f.toString());
      assertEquals(LeadershipHandover.Result.NOT_LEADER, f.get(CTRL).result(), f.toString());
      assertEquals(g100.peer(), awaitLeader(all.get(0), G100, Optional.empty()).peer(), "a follower's handover moves nothing");
      assertEquals(ctrl.peer(), awaitLeader(all.get(0), CTRL, Optional.empty()).peer(), "a follower's handover moves nothing");

      // The controller leader's node first (it may lead group 100 too: then both go in one handover).
      Map<GroupId, LeadershipHandover.Outcome> c = byGroup(GroupAdmin.await(byName.get(ctrlNode).leadershipHandover().handOver(), WAIT));
      assertHandedOver(byName.get(followerNode), CTRL, ctrl, c.get(CTRL), electionTimeout);
      shardctrl.AkkaShardCtrlClient client = new shardctrl.AkkaShardCtrlClient(all.get(0).system(), Map.of(
          PeerId.of("n1"), ServiceRefs.of(all.get(0).system(), new ReplicaKey(CTRL, PeerId.of("n1"))),
          PeerId.of("n2"), ServiceRefs.of(all.get(0).system(), new ReplicaKey(CTRL, PeerId.of("n2"))),
          PeerId.of("n3"), ServiceRefs.of(all.get(0).system(), new ReplicaKey(CTRL, PeerId.of("n3")))),
          raft.rsm.GroupClient.Settings.defaults());
      try {
        assertTrue(client.await(client.query(-1)) instanceof shardctrl.CtrlReply.Config, "the controller answers under its new leader");
      } finally {
        client.close();
      }
      Map<GroupId, LeadershipHandover.Outcome> g = g100Node.equals(ctrlNode) ? c
          : byGroup(GroupAdmin.await(byName.get(g100Node).leadershipHandover().handOver(), WAIT));
      assertHandedOver(byName.get(followerNode), G100, g100, g.get(G100), electionTimeout);
    } finally {
      for (ShardedNode n : all) n.close();
    }
  }

  /** {@code o} says TRANSFERRED in less than an election timeout, to the replica that leads {@code group} now, in a later term. */
  private static void assertHandedOver(ShardedNode through, GroupId group, MembershipStatus before, LeadershipHandover.Outcome o,
      Duration electionTimeout) throws InterruptedException {
    assertEquals(LeadershipHandover.Result.TRANSFERRED, o.result(), o.toString());
    MembershipStatus next = awaitLeader(through, group, Optional.of(before.peer()));
    assertEquals(o.to(), Optional.of(next.peer()), "the outcome names the new leader of " + group);
    assertTrue(next.term() > before.term(), "a new term: " + next + " after " + before);
    assertTrue(o.took().compareTo(electionTimeout) < 0, group + " handed over in " + o.took().toMillis()
        + " ms, less than one election timeout (" + electionTimeout.toMillis() + " ms)");
    org.slf4j.LoggerFactory.getLogger(ShardedLeadershipHandoverTest.class).info("{} handed over {} -> {} in {} ms (term {} -> {})",
        group, before.peer(), next.peer(), o.took().toMillis(), before.term(), next.term());
  }
}
