package hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import kvraft.AkkaKvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import testkit.SeedExtension;

/**
 * Replicas of a real KV group ({@code kvraft.KvServer} over RaftPeer) hosted on Cluster Sharding
 * across three ActorSystems in one JVM: placed where the placement says, created only by bootstrap,
 * and never started empty elsewhere.
 */
@ExtendWith(SeedExtension.class)
class ReplicaHostingTest {
  static ReplicaKey replica(int n) {
    return new ReplicaKey(HostedCluster.GROUP, PeerId.of("r" + n));
  }

  static void put(AkkaKvClient c, String key, String value) {
    KvReply r = c.await(c.put(key, value));
    assertInstanceOf(KvReply.Done.class, r, () -> "put " + key + "=" + value);
  }

  static void assertValue(AkkaKvClient c, String key, String value) {
    assertEquals(new KvReply.Value(value), c.await(c.get(key)));
  }

  /** Also: a node that joins later (an empty region, the least loaded one) gets nothing moved to it. */
  @Test
  void bootstrapRunsEachReplicaOnItsPlacedNodeOnly(long seed) throws InterruptedException {
    try (HostedCluster cluster = new HostedCluster(4, null, seed, null, "akka.cluster.sharding.rebalance-interval = 1s\n")) {
      for (int i = 0; i < 3; i++) cluster.placement.place(replica(i + 1), cluster.address(i));
      for (int i = 0; i < 3; i++) cluster.start(i);
      cluster.awaitMembers(0, 3);
      cluster.bootstrap(0);
      try (AkkaKvClient c = cluster.client(1, 3)) {
        put(c, "k", "v1");
        cluster.start(3);
        cluster.awaitMembers(0, 4);
        Thread.sleep(3_000); // three rebalance rounds (rebalance-interval 1 s): still nothing moves
        assertValue(c, "k", "v1");
      }
      for (int i = 0; i < 3; i++) {
        int node = i;
        HostStatus s = cluster.awaitStatus(2, replica(i + 1), x -> x instanceof HostStatus.Running);
        assertEquals(cluster.address(node).toString(), s.node());
        assertEquals(Set.of(cluster.address(node).toString()), cluster.running.nodesEverRan(replica(i + 1)));
      }
      // A second bootstrap (a retried one) is answered Running and changes nothing.
      cluster.bootstrap(1);
      assertEquals(List.of(), cluster.running.violations());
    }
  }

  @Test
  void refusesWithoutCreateOrForAnotherNodeOrAfterRetire(long seed) {
    try (HostedCluster cluster = new HostedCluster(2, null, seed, null, "")) {
      ReplicaKey lost = ReplicaKey.of("g2", "r4");
      ReplicaKey misdirected = ReplicaKey.of("g2", "r5");
      cluster.placement.place(lost, cluster.address(0)).place(misdirected, cluster.address(1));
      cluster.startAll();
      cluster.awaitMembers(0, 2);
      // Woken (by the waker and by this status query) without ever being created: refuses.
      HostStatus s = cluster.awaitStatus(1, lost, x -> x instanceof HostStatus.Refused);
      HostStatus.Refused r = (HostStatus.Refused) s;
      assertEquals(HostStatus.Reason.NOT_CREATED_HERE, r.reason());
      assertEquals(cluster.address(0).toString(), r.node());
      assertTrue(r.explanation().contains("replica r4 of group g2") && r.explanation().contains(cluster.address(0).toString()),
          r.explanation());
      // A Create naming node 0 reaches the entity placed on node 1: refused, nothing written.
      HostStatus created = ReplicaHosting.create(cluster.node(0), misdirected, cluster.address(0),
          List.of(PeerId.of("r5")), BirthCertificate.Cause.MEMBERSHIP_CHANGE, Duration.ofSeconds(10))
          .toCompletableFuture().join();
      assertEquals(HostStatus.Reason.CREATE_FOR_ANOTHER_NODE, ((HostStatus.Refused) created).reason());
      assertEquals(cluster.address(1).toString(), created.node());
      assertEquals(HostStatus.Reason.NOT_CREATED_HERE,
          ((HostStatus.Refused) cluster.awaitStatus(0, misdirected, x -> true)).reason());
      assertEquals(Set.of(), cluster.running.nodesEverRan(lost));
      assertEquals(Set.of(), cluster.running.nodesEverRan(misdirected));

      // A bootstrap Create whose voters leave the replica out is refused, and so is a membership
      // change's Create that makes the new replica a voter of its first membership; neither writes.
      ReplicaKey solo = ReplicaKey.of("g3", "r6");
      cluster.placement.place(solo, cluster.address(1));
      HostStatus invalid = ReplicaHosting.create(cluster.node(0), solo, cluster.address(1), List.of(PeerId.of("r7")),
          BirthCertificate.Cause.BOOTSTRAP, Duration.ofSeconds(10)).toCompletableFuture().join();
      assertEquals(HostStatus.Reason.INVALID_CREATE, ((HostStatus.Refused) invalid).reason());
      HostStatus voterJoiner = ReplicaHosting.create(cluster.node(0), solo, cluster.address(1),
          List.of(PeerId.of("r7"), solo.replica()), BirthCertificate.Cause.MEMBERSHIP_CHANGE, Duration.ofSeconds(10))
          .toCompletableFuture().join();
      assertEquals(HostStatus.Reason.INVALID_CREATE, ((HostStatus.Refused) voterJoiner).reason());

      // A one-replica group bootstrapped, then retired: stopped, and refused from then on.
      HostStatus running = ReplicaHosting.create(cluster.node(0), solo, cluster.address(1), List.of(solo.replica()),
          BirthCertificate.Cause.BOOTSTRAP, Duration.ofSeconds(10)).toCompletableFuture().join();
      assertEquals(new HostStatus.Running(solo, cluster.address(1).toString(), BirthCertificate.Cause.BOOTSTRAP),
          running);
      assertEquals(Set.of(cluster.address(1).toString()), cluster.running.nodesRunning(solo));
      HostStatus retired = ReplicaHosting.entityRef(cluster.node(0), solo)
          .<HostStatus>ask(ReplicaEntity.Retire::new, Duration.ofSeconds(10)).toCompletableFuture().join();
      assertEquals(HostStatus.Reason.RETIRED, ((HostStatus.Refused) retired).reason());
      HostStatus again = ReplicaHosting.create(cluster.node(0), solo, cluster.address(1), List.of(solo.replica()),
          BirthCertificate.Cause.BOOTSTRAP, Duration.ofSeconds(10)).toCompletableFuture().join();
      assertEquals(HostStatus.Reason.RETIRED, ((HostStatus.Refused) again).reason());
      akka.actor.testkit.typed.javadsl.TestProbe.create(cluster.node(0)).awaitAssert(() -> {
        assertEquals(Set.of(), cluster.running.nodesRunning(solo));
        return null;
      });
    }
  }

  /**
   * A crash keeps the journal (LevelDB): the replica starts again on its node from it. A crash that
   * loses the journal: the replica refuses to start there, and the group carries on without it.
   */
  @Test
  void restartedNodeRunsItsReplicaFromItsJournalButNeverFromAnEmptyOne(long seed, @org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    try (HostedCluster cluster = new HostedCluster(3, dir, seed, null, "")) {
      for (int i = 0; i < 3; i++) cluster.placement.place(replica(i + 1), cluster.address(i));
      cluster.startAll();
      cluster.awaitMembers(0, 3);
      cluster.bootstrap(0);
      try (AkkaKvClient c = cluster.client(0, 3)) {
        put(c, "k", "v1");
        cluster.crash(2);
        put(c, "k", "v2"); // r1 and r2 are a majority
      }
      cluster.start(2);
      cluster.awaitMembers(0, 3);
      HostStatus back = cluster.awaitStatus(0, replica(3), x -> x instanceof HostStatus.Running);
      assertEquals(cluster.address(2).toString(), back.node());
      cluster.crash(1);
      try (AkkaKvClient c = cluster.client(0, 2)) {
        put(c, "k", "v3"); // needs r3, recovered from its journal, with r1
        assertValue(c, "k", "v3");
      }
      // Node 1 comes back without its journal (a wiped disk): r2 must not start empty there.
      HostedCluster.deleteDirectory(dir.resolve("node-1"));
      cluster.start(1);
      cluster.awaitMembers(0, 3);
      HostStatus.Refused r = (HostStatus.Refused) cluster.awaitStatus(0, replica(2), x -> x instanceof HostStatus.Refused);
      assertEquals(HostStatus.Reason.NOT_CREATED_HERE, r.reason());
      assertEquals(cluster.address(1).toString(), r.node());
      try (AkkaKvClient c = cluster.client(0, 2)) {
        put(c, "k", "v4");
        assertValue(c, "k", "v4");
      }
      assertEquals(Set.of(), cluster.running.nodesRunning(replica(2)));
      assertEquals(List.of(), cluster.running.violations());
    }
  }

  /**
   * With an allocation strategy that moves shards as Akka's external strategy does (rebalance to a
   * new location; fall back to the requester when the node is gone), the replica Akka re-creates
   * on another node refuses to run there: a rebalance attempt, then a node crash.
   */
  @Test
  void replicaRecreatedElsewhereByAkkaRefusesToRunEmpty(long seed) {
    MutablePlacement[] placement = new MutablePlacement[1];
    try (HostedCluster cluster = new HostedCluster(4, null, seed,
        system -> new FollowingStrategy(() -> placement[0], ReplicaHosting.selfNode(system)),
        "akka.cluster.sharding.rebalance-interval = 1s\n")) {
      placement[0] = cluster.placement;
      for (int i = 0; i < 3; i++) cluster.placement.place(replica(i + 1), cluster.address(i));
      cluster.startAll();
      cluster.awaitMembers(0, 4);
      cluster.bootstrap(0);
      try (AkkaKvClient c = cluster.client(3, 3)) {
        put(c, "k", "v1");
        // Rebalance attempt: r3's location changes to node 3; Akka hands r3 off from node 2 and starts it on node 3.
        cluster.placement.place(replica(3), cluster.address(3));
        HostStatus.Refused moved = (HostStatus.Refused) cluster.awaitStatus(0, replica(3),
            x -> x instanceof HostStatus.Refused && x.node().equals(cluster.address(3).toString()));
        assertEquals(HostStatus.Reason.NOT_CREATED_HERE, moved.reason());
        assertEquals(Set.of(), cluster.running.nodesRunning(replica(3)));
        put(c, "k", "v2"); // r1 and r2
        assertValue(c, "k", "v2");
      }
      // Crash: node 1 goes, the split-brain resolver downs it, and Akka starts r2 on whichever node asks first.
      cluster.crash(1);
      cluster.awaitMembers(0, 3);
      HostStatus.Refused recreated = (HostStatus.Refused) cluster.awaitStatus(0, replica(2),
          x -> x instanceof HostStatus.Refused);
      assertEquals(HostStatus.Reason.NOT_CREATED_HERE, recreated.reason());
      assertTrue(!recreated.node().equals(cluster.address(1).toString()), recreated.node());
      assertEquals(Set.of(), cluster.running.nodesRunning(replica(2)));
      assertEquals(Set.of(cluster.address(1).toString()), cluster.running.nodesEverRan(replica(2)));
      assertEquals(Set.of(cluster.address(2).toString()), cluster.running.nodesEverRan(replica(3)));
      assertEquals(List.of(), cluster.running.violations());
    }
  }
}
