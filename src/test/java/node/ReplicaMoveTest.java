package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hosting.HostStatus;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kvraft.KvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.peer.MembershipStatus;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.ShardKvServer;

/**
 * Replica moves on four sharded nodes (ActorSystems over Artery in one JVM, LevelDB journals,
 * {@link ShardedNode#startAll}): group 100 starts on n1, n2, n3 and moves while a client writes
 * unique keys. Every acknowledged write is read back after each step, the group has three voters
 * after each move, the new replica ids are never ones used before, the old replica is retired,
 * and the typed refusals change nothing. A drain empties a node; then a node is stopped, its
 * replica replaced from the dead node, and when it restarts its old replica is retired, not run.
 */
class ReplicaMoveTest {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicaMoveTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final GroupId G100 = ShardedSpec.groupOf(100);


  static <T> T await(CompletionStage<T> s) {
    try {
      return s.toCompletableFuture().get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer: " + e, e);
    }
  }

  static ShardConfig config(CtrlReply r) {
    return assertInstanceOf(CtrlReply.Config.class, r, () -> "want a configuration, got " + r).config();
  }

  /** Writes unique keys until stopped; remembers the acknowledged ones (also used by {@link ControllerReplicaMoveTest}). */
  static final class Writer implements Runnable {
    final KvClient client;
    final Map<String, String> acked = Collections.synchronizedMap(new LinkedHashMap<>());
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger failed = new AtomicInteger();
    volatile Object lastFailure;

    Writer(KvClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      for (int i = 0; !stop.get(); i++) {
        String key = (char) ('a' + i % 26) + "-" + i;
        try {
          KvReply r = client.put(key, "v" + i).toCompletableFuture().get(30, TimeUnit.SECONDS);
          if (KvReply.DONE.equals(r)) acked.put(key, "v" + i);
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

    void checkAllReadable(String after) {
      long start = System.nanoTime();
      Map<String, String> copy;
      synchronized (acked) {
        copy = new TreeMap<>(acked);
      }
      List<Map.Entry<String, String>> entries = new ArrayList<>(copy.entrySet());
      for (int from = 0; from < entries.size(); from += 64) { // 64 reads in flight
        List<Map.Entry<String, String>> batch = entries.subList(from, Math.min(entries.size(), from + 64));
        List<CompletableFuture<KvReply>> reads = new ArrayList<>();
        for (Map.Entry<String, String> e : batch) reads.add(client.get(e.getKey()).toCompletableFuture());
        for (int i = 0; i < batch.size(); i++)
          assertEquals(new KvReply.Value(batch.get(i).getValue()), await(reads.get(i)), batch.get(i).getKey());
      }
      LOG.info("after {}: {} acknowledged writes read back in {} ms ({} writes failed so far)", after, entries.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), failed.get());
    }
  }

  /** The group's membership as its leader sees it, once it has {@code voters} and no learner. */
  static MembershipStatus awaitVoters(ActorSystem<?> system, List<String> servers, List<PeerId> voters) {
    return awaitVoters(system, servers, voters, ReplicaMove.SHARD_KV);
  }

  /** The same for a group whose servers speak {@code protocol} (the controller's: {@link ReplicaMove#SHARD_CTRL}). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static MembershipStatus awaitVoters(ActorSystem<?> system, List<String> servers, List<PeerId> voters,
      AkkaGroupAdmin.Protocol<?> protocol) {
    Map<PeerId, ActorRef<wire.CborSerializable>> refs = new LinkedHashMap<>();
    for (String s : servers) refs.put(ReplicaKey.parse(s).replica(), ServiceRefs.of(system, ReplicaKey.parse(s)));
    AkkaGroupAdmin admin = new AkkaGroupAdmin(system, (Map) refs, (AkkaGroupAdmin.Protocol) protocol, Duration.ofSeconds(2), WAIT);
    long end = System.nanoTime() + WAIT.toNanos();
    MembershipStatus last = null;
    while (System.nanoTime() < end) {
      last = await(admin.members()).leader().orElse(null);
      if (last != null && last.membership().voters().equals(voters) && last.membership().learners().isEmpty()
          && !last.membership().isJoint()) return last;
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("group never had voters " + voters + "; last leader view " + last);
  }

  private static void awaitRetired(ActorSystem<?> system, ReplicaKey key) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    HostStatus last = null;
    while (System.nanoTime() < end) {
      try {
        last = ReplicaHosting.status(system, key, Duration.ofSeconds(3)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (last instanceof HostStatus.Refused r && r.reason() == HostStatus.Reason.RETIRED) return;
      } catch (Exception e) {
        // its entity is not allocated yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError(key + " was not retired; last status " + last);
  }

  static List<PeerId> ids(String... ids) {
    List<PeerId> out = new ArrayList<>();
    for (String id : ids) out.add(PeerId.of(id));
    return out;
  }

  static void deleteDirectory(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
    }
  }

  /** Four nodes on free ports, the controller and group 100 on n1, n2, n3, n4 empty; node n1's data under {@code data/n1}. */
  static ShardedSpec fourNodes(Path data) throws java.io.IOException {
    TreeMap<String, String> nodes = new TreeMap<>();
    for (String n : List.of("n1", "n2", "n3", "n4")) nodes.put(n, "127.0.0.1:" + ShardedProcessConfs.freePort());
    return new ShardedSpec("n1", nodes, List.of("n1", "n2", "n3"), new TreeMap<>(Map.of(100, List.of("n1", "n2", "n3"))),
        data.resolve("n1"), false, true, List.of()).validate();
  }

  /** The sharded node's settings with a quick split brain resolver and a 60 s bound per move. */
  static Config moveConfig() {
    return ConfigFactory.parseString("akka.cluster.split-brain-resolver.stable-after = 3s\n"
            + "raftkv.sharded.admin-timeout = 60s\n")
        .withFallback(NodeSettings.load(null, ShardedNode.NODE_LAYER));
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 8, unit = TimeUnit.MINUTES)
  void replicasMoveByMembershipChangeUnderWritesAndADrainEmptiesANode() throws Exception {
    Path data = Files.createTempDirectory("replica-move-");
    ShardedSpec spec = fourNodes(data);
    Config config = moveConfig();
    List<ShardedNode> all = ShardedNode.startAll(spec, data, config);
    try {
      for (ShardedNode n : all) n.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      ShardedNode n4 = all.get(3);
      ShardAdmin admin = n4.admin();
      ShardConfig first = config(await(admin.shards()));
      while (!first.groups().containsKey(100)) {
        Thread.sleep(200);
        first = config(await(admin.shards()));
      }
      assertEquals(List.of("g100|n1", "g100|n2", "g100|n3"), first.groups().get(100));

      // Refusals change nothing.
      assertEquals(new CtrlReply.UnknownGid(7), await(admin.moveReplica(7, "n1", "n4")));
      assertEquals(new CtrlReply.UnknownNode("n9"), await(admin.moveReplica(100, "n9", "n4")));
      assertEquals(new CtrlReply.UnknownNode("n9"), await(admin.moveReplica(100, "n1", "n9")));
      assertEquals(new CtrlReply.NoReplicaOnNode(100, "n4"), await(admin.moveReplica(100, "n4", "n1")));
      assertEquals(new CtrlReply.ReplicaOnNode(100, "n2"), await(admin.moveReplica(100, "n1", "n2")));
      assertEquals(first, config(await(admin.shards())), "a refusal writes nothing");

      Writer writer = new Writer(n4.client());
      Thread writing = new Thread(writer, "writer");
      writing.start();
      try {
        // 1. n1 -> n4 under writes; a second move of the group meanwhile is refused.
        CompletableFuture<CtrlReply> moving = admin.moveReplica(100, "n1", "n4").toCompletableFuture();
        CtrlReply second = await(admin.moveReplica(100, "n2", "n4"));
        assertInstanceOf(CtrlReply.MoveInProgress.class, second, second::toString);
        ShardConfig moved = config(await(moving));
        assertEquals(List.of("g100|n2", "g100|n3", "g100|n4"), moved.groups().get(100));
        assertEquals(first.shards(), moved.shards(), "no shard moves with a replica");
        awaitVoters(n4.system(), moved.groups().get(100), ids("n2", "n3", "n4"));
        HostStatus old = await(ReplicaHosting.status(n4.system(), ReplicaKey.of("g100", "n1"), Duration.ofSeconds(10)));
        assertEquals(HostStatus.Reason.RETIRED, assertInstanceOf(HostStatus.Refused.class, old).reason());
        writer.checkAllReadable("move n1 -> n4");

        // 2. Back to n1: its id n1 was used, so the new replica is n1.1 (the retired n1 stays retired).
        ShardConfig back = config(await(admin.moveReplica(100, "n2", "n1")));
        assertEquals(List.of("g100|n3", "g100|n4", "g100|n1.1"), back.groups().get(100));
        awaitVoters(n4.system(), back.groups().get(100), ids("n1.1", "n3", "n4"));
        assertEquals(HostStatus.Reason.RETIRED, assertInstanceOf(HostStatus.Refused.class,
            await(ReplicaHosting.status(n4.system(), ReplicaKey.of("g100", "n1"), Duration.ofSeconds(10)))).reason());
        writer.checkAllReadable("move n2 -> n1");

        // 3. Drain n4: its replica goes to the one node without a replica of group 100 (n2, as n2.1).
        NodeDrain drained = await(admin.drainNode("n4"));
        assertNull(drained.stoppedBy(), drained::toString);
        assertTrue(drained.done(), drained::toString);
        assertEquals(List.of("g100|n4 -> g100|n2.1"), drained.moved());
        assertEquals(List.of(), drained.notMoved(), "n4 has no controller replica");
        ShardConfig afterDrain = config(await(admin.shards()));
        assertEquals(List.of("g100|n3", "g100|n1.1", "g100|n2.1"), afterDrain.groups().get(100));
        awaitVoters(n4.system(), afterDrain.groups().get(100), ids("n1.1", "n2.1", "n3"));
        NodeReplicas view = await(admin.nodes());
        assertEquals(new NodeReplicas.Node(true, List.of(), spec.nodes().get("n4")), view.nodes().get("n4"), view::toString);
        assertEquals(List.of("g100|n2.1", "ctrl|n2"), view.nodes().get("n2").replicas(), view::toString);
        assertEquals(Map.of(), view.moving(), "no move runs now");
        NodeDrain again = await(admin.drainNode("n4"));
        assertTrue(again.done() && again.moved().isEmpty(), again::toString);
        assertEquals(new CtrlReply.UnknownNode("n9"), await(admin.drainNode("n9")).stoppedBy());
        writer.checkAllReadable("drain of n4");

        // 4. n3 stops (a crashed node): its replica is replaced from the dead node onto n4 (n4.1: n4 was used).
        all.get(2).close();
        all.get(2).awaitTermination();
        ShardConfig replaced = config(await(admin.moveReplica(100, "n3", "n4")));
        assertEquals(List.of("g100|n1.1", "g100|n2.1", "g100|n4.1"), replaced.groups().get(100));
        awaitVoters(n4.system(), replaced.groups().get(100), ids("n1.1", "n2.1", "n4.1"));
        writer.checkAllReadable("replacing n3's replica from the dead node");

        // 5. n3 comes back with its journal: its config file still places g100|n3 there, but the
        // configuration does not list it, so the node retires it (it never rejoins the group).
        ShardedNode n3 = ShardedNode.start(spec.as("n3", data.resolve("n3")), config);
        all.set(2, n3);
        awaitRetired(n3.system(), ReplicaKey.of("g100", "n3"));
        awaitVoters(n4.system(), replaced.groups().get(100), ids("n1.1", "n2.1", "n4.1"));
        writer.checkAllReadable("n3 restarted");
      } finally {
        writer.stop.set(true);
        writing.join(60_000);
      }
      writer.checkAllReadable("the writes stopped");
      assertTrue(writer.acked.size() > 10, () -> "writes acknowledged: " + writer.acked.size() + ", failed "
          + writer.failed.get() + ", last failure " + writer.lastFailure);
    } finally {
      for (ShardedNode n : all) n.close();
      deleteDirectory(data);
    }
  }
}
