package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static node.ReplicaMoveTest.await;
import static node.ReplicaMoveTest.config;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import hosting.HostStatus;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.peer.MembershipStatus;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlServer;

/**
 * The controller's own replicas move like a shard group's ({@link ReplicaMove} over a {@link
 * ControllerRecord}): four sharded nodes in one JVM (Artery, LevelDB journals), the controller and
 * group 100 on n1, n2, n3. The controller's replica moves n1 → n4 while the controller is queried
 * without pause and a group joins; then a drain of n2 moves both its shard group replica and its
 * controller replica (the latter to n1 under {@code n1.1}: the record refuses the used {@code n1}).
 * After each step the controller group has exactly the expected voters, the old replica is retired,
 * every acknowledged KV write is read back, and the controller answers Query, Join and Move. A
 * drained node restarts with its journal: its old controller replica stays retired and it places
 * the controller from the record it last read.
 */
class ControllerReplicaMoveTest {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControllerReplicaMoveTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final GroupId CTRL = ShardedSpec.CONTROLLER;

  private static List<String> controllers(CtrlReply r) {
    return assertInstanceOf(CtrlReply.Controllers.class, r, () -> "want the controller's servers, got " + r).servers();
  }

  /** Asks the controller for its latest configuration back to back until stopped; counts what is not one. */
  private static final class Querier implements Runnable {
    final ShardAdmin admin;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    volatile Object lastFailure;

    Querier(ShardAdmin admin) {
      this.admin = admin;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        try {
          CtrlReply r = admin.shards().toCompletableFuture().get(30, TimeUnit.SECONDS);
          if (r instanceof CtrlReply.Config) answered.incrementAndGet();
          else {
            failed.incrementAndGet();
            lastFailure = r;
          }
        } catch (Exception e) {
          failed.incrementAndGet();
          lastFailure = e;
        }
      }
    }
  }

  /** The controller group's membership as its leader sees it, once it has exactly {@code voters} and no learner. */
  private static MembershipStatus awaitControllerVoters(ActorSystem<?> system, List<String> servers, List<PeerId> voters) {
    return ReplicaMoveTest.awaitVoters(system, servers, voters, ReplicaMove.SHARD_CTRL);
  }

  private static void assertRetired(ActorSystem<?> system, ReplicaKey key) {
    HostStatus s = await(ReplicaHosting.status(system, key, Duration.ofSeconds(10)));
    assertEquals(HostStatus.Reason.RETIRED, assertInstanceOf(HostStatus.Refused.class, s, () -> key + ": " + s).reason());
  }

  /** Waits until {@code node}'s own placement lists {@code replicas} for the controller (its PlacementFollower read the record). */
  private static void awaitPlacement(ShardedNode node, List<String> replicas) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    List<String> last = null;
    while (System.nanoTime() < end) {
      NodeReplicas view = await(node.admin().nodes());
      last = new ArrayList<>();
      for (NodeReplicas.Node n : view.nodes().values())
        for (String r : n.replicas()) if (r.startsWith(CTRL.id() + "|")) last.add(r);
      if (new java.util.TreeSet<>(last).equals(new java.util.TreeSet<>(replicas))) return;
      Thread.sleep(200);
    }
    throw new AssertionError("node " + node.spec().self() + " never placed the controller on " + replicas + "; last " + last);
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 8, unit = TimeUnit.MINUTES)
  void theControllersReplicasMoveByMembershipChangeAndADrainMovesThemToo() throws Exception {
    Path data = Files.createTempDirectory("ctrl-move-");
    ShardedSpec spec = ReplicaMoveTest.fourNodes(data);
    List<ShardedNode> all = ShardedNode.startAll(spec, data, ReplicaMoveTest.moveConfig());
    try {
      for (ShardedNode n : all) n.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      ShardedNode n4 = all.get(3);
      ShardAdmin admin = n4.admin();
      ShardConfig first = config(await(admin.shards()));
      while (!first.groups().containsKey(100)) {
        Thread.sleep(200);
        first = config(await(admin.shards()));
      }

      // Refusals change nothing (gid 0: the controller).
      assertEquals(new CtrlReply.NoReplicaOnNode(0, "n4"), await(admin.moveControllerReplica("n4", "n1")));
      assertEquals(new CtrlReply.ReplicaOnNode(0, "n2"), await(admin.moveControllerReplica("n1", "n2")));
      assertEquals(new CtrlReply.UnknownNode("n9"), await(admin.moveControllerReplica("n1", "n9")));
      assertEquals(first, config(await(admin.shards())), "a refusal writes nothing");

      // A controller client that knows only n2 and n3: it finds moved replicas by the leader's hints.
      shardctrl.AkkaShardCtrlClient ctrl = new shardctrl.AkkaShardCtrlClient(n4.system(), Map.of(
          PeerId.of("n2"), ServiceRefs.of(n4.system(), ReplicaKey.of("ctrl", "n2")),
          PeerId.of("n3"), ServiceRefs.of(n4.system(), ReplicaKey.of("ctrl", "n3"))), raft.rsm.GroupClient.Settings.defaults())
          .resolveHintsWith(p -> ServiceRefs.of(n4.system(), new ReplicaKey(CTRL, p)));
      ReplicaMoveTest.Writer writer = new ReplicaMoveTest.Writer(n4.client());
      Querier querier = new Querier(admin);
      Thread writing = new Thread(writer, "writer");
      Thread querying = new Thread(querier, "querier");
      writing.start();
      querying.start();
      try {
        // 1. The controller's replica n1 -> n4 while it is queried and a group joins.
        CompletableFuture<CtrlReply> moving = admin.moveControllerReplica("n1", "n4").toCompletableFuture();
        CtrlReply second = await(admin.moveControllerReplica("n2", "n4"));
        assertInstanceOf(CtrlReply.MoveInProgress.class, second, second::toString);
        CtrlReply joined = await(admin.joinGroup(101, List.of("n2", "n3", "n4")));
        List<String> moved = controllers(await(moving));
        assertEquals(List.of("ctrl|n2", "ctrl|n3", "ctrl|n4"), moved);
        assertTrue(config(joined).groups().containsKey(101), joined::toString);
        awaitControllerVoters(n4.system(), moved, List.of(PeerId.of("n2"), PeerId.of("n3"), PeerId.of("n4")));
        assertRetired(n4.system(), ReplicaKey.of("ctrl", "n1"));
        assertEquals(moved, controllers(await(ctrl.controllers())), "the record, read through a client that knew n2, n3 only");
        for (ShardedNode n : all) awaitPlacement(n, moved);
        writer.checkAllReadable("controller move n1 -> n4");
        ShardConfig afterJoin = config(await(admin.shards()));
        int shard = afterJoin.shardsOf(100).get(0);
        assertEquals(101, config(await(admin.move(shard, 101))).gidOf(shard), "a Move after the controller moved");

        // 2. Drain n2: its group 100 replica goes to n4 (the only node without one), its controller
        // replica to n1 (the only one without): as n1.1, since the record knows n1 was used.
        NodeDrain drained = await(admin.drainNode("n2"));
        assertNull(drained.stoppedBy(), drained::toString);
        assertTrue(drained.done(), drained::toString);
        assertTrue(drained.moved().contains("ctrl|n2 -> ctrl|n1.1"), drained::toString);
        assertTrue(drained.moved().contains("g100|n2 -> g100|n4"), drained::toString);
        List<String> after = controllers(await(ctrl.controllers()));
        assertEquals(List.of("ctrl|n3", "ctrl|n4", "ctrl|n1.1"), after);
        awaitControllerVoters(n4.system(), after, List.of(PeerId.of("n1.1"), PeerId.of("n3"), PeerId.of("n4")));
        assertRetired(n4.system(), ReplicaKey.of("ctrl", "n2"));
        assertRetired(n4.system(), ReplicaKey.of("ctrl", "n1"));
        assertEquals(List.of(), drained.notMoved());
        for (ShardedNode n : all) awaitPlacement(n, after);
        NodeReplicas view = await(admin.nodes());
        assertEquals(List.of(), view.nodes().get("n2").replicas(), view::toString);
        assertEquals(Map.of(), view.moving(), "no move runs now");
        writer.checkAllReadable("drain of n2");
        assertTrue(config(await(ctrl.query(-1))).groups().containsKey(101), "the controller answers after the drain");

        // 3. n2 restarts with its journal: its retired ctrl|n2 stays retired, and it places the
        // controller from the record it last read (kept in its data directory), not from its file.
        all.get(1).close();
        all.get(1).awaitTermination();
        assertEquals(after, KnownControllers.read(data.resolve("n2")));
        ShardedNode n2 = ShardedNode.start(spec.as("n2", data.resolve("n2")), ReplicaMoveTest.moveConfig());
        all.set(1, n2);
        awaitPlacement(n2, after);
        assertTrue(config(await(n2.admin().shards())).groups().containsKey(101), "n2 reaches the controller");
        assertRetired(n2.system(), ReplicaKey.of("ctrl", "n2"));

        // 4. The controller replica that moved to n4 is part of n4's handover on SIGTERM.
        List<LeadershipHandover.Outcome> handover = await(n4.leadershipHandover().handOver());
        assertTrue(handover.stream().anyMatch(o -> o.group().equals(CTRL) && o.from().equals(PeerId.of("n4"))), handover::toString);
      } finally {
        writer.stop.set(true);
        querier.stop.set(true);
        writing.join(60_000);
        querying.join(60_000);
      }
      writer.checkAllReadable("the writes stopped");
      assertTrue(writer.acked.size() > 10, () -> "writes acknowledged: " + writer.acked.size() + ", failed "
          + writer.failed.get() + ", last failure " + writer.lastFailure);
      assertEquals(0, querier.failed.get(), () -> "queries that got no configuration: " + querier.failed.get() + " of "
          + (querier.answered.get() + querier.failed.get()) + ", last " + querier.lastFailure);
      assertTrue(querier.answered.get() > 10, "queries answered: " + querier.answered.get());
      LOG.info("controller answered {} queries during the moves, none failed; {} writes acknowledged",
          querier.answered.get(), writer.acked.size());
    } finally {
      for (ShardedNode n : all) n.close();
    }
  }
}
