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
 * with group 100 on all three: the handover that {@code bin/raftkv node} runs in CoordinatedShutdown
 * ({@link ShardedNode#leadershipHandover}) moves a shard group's leadership off a stopping leader's
 * node within one election timeout, and a follower's node moves nothing. The controller's replicas
 * are not part of it.
 */
class ShardedLeadershipHandoverTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final GroupId G100 = ShardedSpec.groupOf(100);


  /** Group 100's leader as its replicas report it, waiting for one other than {@code not}. */
  private static MembershipStatus awaitLeader(ShardedNode through, Optional<PeerId> not) throws InterruptedException {
    Map<PeerId, ActorRef<ShardKvServer.Command>> refs = new LinkedHashMap<>();
    for (String n : List.of("n1", "n2", "n3")) refs.put(PeerId.of(n), ServiceRefs.of(through.system(), new ReplicaKey(G100, PeerId.of(n))));
    AkkaGroupAdmin admin = new AkkaGroupAdmin(through.system(), refs, ReplicaMove.SHARD_KV, Duration.ofSeconds(2), WAIT);
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      Optional<MembershipStatus> l = GroupAdmin.await(admin.members(), WAIT).leader().filter(s -> !Optional.of(s.peer()).equals(not));
      if (l.isPresent()) return l.get();
      Thread.sleep(20);
    }
    throw new AssertionError("group 100 had no leader" + not.map(n -> " other than " + n).orElse("") + " within " + WAIT);
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aShardGroupLeadersNodeHandsItsLeadershipOverAndAFollowersMovesNothing() throws Exception {
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
      MembershipStatus leader = awaitLeader(all.get(0), Optional.empty());
      String leaderNode = NodePlacement.nodeName(leader.peer());
      String followerNode = byName.keySet().stream().filter(n -> !n.equals(leaderNode)).findFirst().orElseThrow();

      List<LeadershipHandover.Outcome> f = GroupAdmin.await(byName.get(followerNode).leadershipHandover().handOver(), WAIT);
      assertEquals(1, f.size(), "one shard group replica on " + followerNode + ", the controller's not asked: " + f);
      assertEquals(G100, f.get(0).group());
      assertEquals(LeadershipHandover.Result.NOT_LEADER, f.get(0).result(), f.toString());
      assertEquals(leader.peer(), awaitLeader(all.get(0), Optional.empty()).peer(), "a follower's handover moves nothing");

      List<LeadershipHandover.Outcome> l = GroupAdmin.await(byName.get(leaderNode).leadershipHandover().handOver(), WAIT);
      assertEquals(1, l.size(), l.toString());
      LeadershipHandover.Outcome o = l.get(0);
      assertEquals(LeadershipHandover.Result.TRANSFERRED, o.result(), o.toString());
      MembershipStatus next = awaitLeader(byName.get(followerNode), Optional.of(leader.peer()));
      assertEquals(o.to(), Optional.of(next.peer()), "the outcome names the new leader");
      assertTrue(next.term() > leader.term(), "a new term: " + next + " after " + leader);
      assertTrue(o.took().compareTo(electionTimeout) < 0, "handed over in " + o.took().toMillis()
          + " ms, less than one election timeout (" + electionTimeout.toMillis() + " ms)");
      org.slf4j.LoggerFactory.getLogger(ShardedLeadershipHandoverTest.class).info("g100 handed over {} -> {} in {} ms (term {} -> {})",
          leader.peer(), next.peer(), o.took().toMillis(), leader.term(), next.term());
    } finally {
      for (ShardedNode n : all) n.close();
    }
  }
}
