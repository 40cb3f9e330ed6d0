package node;

import static node.ReplicaMoveTest.await;
import static node.ReplicaMoveTest.config;
import static node.ReplicaMoveTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hosting.BirthCertificate;
import hosting.HostStatus;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;
import shardctrl.AkkaShardCtrlClient;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;
import shardctrl.ShardCtrlServer;
import shardkv.ShardKvServer;

/**
 * A replica move interrupted after each of its steps (the admin stopped mid-way: the test takes
 * the move's steps itself, with the same requests, and stops) and then asked again: the move
 * finishes or undoes what was left and ends with three voters that the controller lists exactly,
 * the old replica retired, while a client writes; every acknowledged write is read back after each.
 * Four sharded nodes in one JVM, group 100 on n1, n2, n3.
 */
class MoveResumeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration ASK = Duration.ofSeconds(3);

  private final Map<String, ShardedNode> byName = new LinkedHashMap<>();
  private ShardCtrlClient ctl;
  private ActorSystem<?> system;

  private AkkaGroupAdmin group(List<String> servers) {
    Map<PeerId, ActorRef<ShardKvServer.Command>> refs = new LinkedHashMap<>();
    for (String s : servers) refs.put(ReplicaKey.parse(s).replica(), ServiceRefs.of(system, ReplicaKey.parse(s)));
    return new AkkaGroupAdmin(system, refs, ReplicaMove.SHARD_KV, ASK, WAIT);
  }

  private List<String> servers() {
    return config(await(ctl.query(-1))).groups().get(100);
  }

  private static long end() {
    return System.nanoTime() + WAIT.toNanos();
  }

  /** The move's first steps, up to and including {@code upTo} (1 listed, 2 learner, 3 created, 4 promoted, 5 removed). */
  private void interrupt(String oldReplica, String fresh, int upTo) {
    List<String> before = servers();
    String freshEntity = "g100|" + fresh;
    assertInstanceOf(CtrlReply.Config.class, await(ctl.addServer(100, freshEntity)));
    if (upTo == 1) return;
    AdminReply learner = ReplicaMove.change(group(before), new MembershipChange.AddLearner(PeerId.of(fresh)), end());
    AdminReply.Changed added = assertInstanceOf(AdminReply.Changed.class, learner, learner::toString);
    if (upTo == 2) return;
    ShardedNode to = byName.get(NodePlacement.nodeName(PeerId.of(fresh)));
    HostStatus created = await(ReplicaHosting.create(system, ReplicaKey.parse(freshEntity),
        akka.cluster.Cluster.get(akka.actor.typed.javadsl.Adapter.toClassic(to.system())).selfAddress(),
        added.membership().voters(), BirthCertificate.Cause.MEMBERSHIP_CHANGE, Duration.ofSeconds(10)));
    assertInstanceOf(HostStatus.Running.class, created, created::toString);
    if (upTo == 3) return;
    List<String> during = servers();
    AdminReply promoted = ReplicaMove.change(group(during), new MembershipChange.PromoteLearner(PeerId.of(fresh)), end());
    assertInstanceOf(AdminReply.Changed.class, promoted, promoted::toString);
    if (upTo == 4) return;
    AdminReply removed = ReplicaMove.change(group(during), new MembershipChange.Remove(PeerId.of(oldReplica)), end());
    assertInstanceOf(AdminReply.Changed.class, removed, removed::toString);
  }

  /** After the move asked again: exactly {@code want} listed and voting, no learner, the old one retired. */
  private void check(CtrlReply answer, List<String> want, String retired, ReplicaMoveTest.Writer writer, String step)
      throws InterruptedException {
    ShardConfig c = config(answer);
    assertEquals(want, c.groups().get(100), step);
    List<PeerId> voters = want.stream().map(s -> ReplicaKey.parse(s).replica()).sorted().toList();
    ReplicaMoveTest.awaitVoters(system, want, voters);
    assertEquals(want, servers(), step + ": the controller lists exactly the voters");
    HostStatus old = await(ReplicaHosting.status(system, ReplicaKey.parse(retired), Duration.ofSeconds(10)));
    assertEquals(HostStatus.Reason.RETIRED, assertInstanceOf(HostStatus.Refused.class, old, old::toString).reason(), step);
    writer.checkAllReadable(step);
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 8, unit = TimeUnit.MINUTES)
  void aMoveInterruptedAfterEachStepIsFinishedOrUndoneWhenAskedAgain() throws Exception {
    Path data = Files.createTempDirectory("move-resume-");
    TreeMap<String, String> nodes = new TreeMap<>();
    for (String n : List.of("n1", "n2", "n3", "n4")) nodes.put(n, "127.0.0.1:" + ShardedProcessConfs.freePort());
    ShardedSpec spec = new ShardedSpec("n1", nodes, List.of("n1", "n2", "n3"),
        new TreeMap<>(Map.of(100, List.of("n1", "n2", "n3"))), data.resolve("n1"), false, true, List.of()).validate();
    Config config = ConfigFactory.parseString("akka.cluster.split-brain-resolver.stable-after = 3s\n"
            + "raftkv.sharded.admin-timeout = 60s\n")
        .withFallback(NodeSettings.load(null, ShardedNode.NODE_LAYER));
    List<ShardedNode> all = ShardedNode.startAll(spec, data, config);
    try {
      for (ShardedNode n : all) {
        n.bootstrapped().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        byName.put(n.spec().self(), n);
      }
      ShardedNode n4 = byName.get("n4");
      system = n4.system();
      Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
      for (String n : List.of("n1", "n2", "n3"))
        refs.put(PeerId.of(n), ServiceRefs.of(system, new ReplicaKey(ShardedSpec.CONTROLLER, PeerId.of(n))));
      ctl = new AkkaShardCtrlClient(system, refs, NodeSettings.shardCtrlClientSettings(config));
      ShardAdmin admin = n4.admin();
      ShardConfig first = config(await(admin.shards()));
      while (!first.groups().containsKey(100)) {
        Thread.sleep(200);
        first = config(await(admin.shards()));
      }
      ReplicaMoveTest.Writer writer = new ReplicaMoveTest.Writer(n4.client());
      Thread writing = new Thread(writer, "writer");
      writing.start();
      try {
        // 1. n1 -> n4 stopped once n4 is listed: unlisted and retired, then moved with a fresh id (n4 is burnt).
        interrupt("n1", "n4", 1);
        check(await(admin.moveReplica(100, "n1", "n4")), List.of("g100|n2", "g100|n3", "g100|n4.1"), "g100|n1", writer,
            "resumed after AddServer");
        HostStatus burnt = await(ReplicaHosting.status(system, ReplicaKey.of("g100", "n4"), Duration.ofSeconds(10)));
        assertEquals(HostStatus.Reason.RETIRED, assertInstanceOf(HostStatus.Refused.class, burnt).reason());

        // 2. n2 -> n1 (as n1.1) stopped once the learner is added, before it exists: created, promoted, n2 removed.
        interrupt("n2", "n1.1", 2);
        check(await(admin.moveReplica(100, "n2", "n1")), List.of("g100|n3", "g100|n4.1", "g100|n1.1"), "g100|n2", writer,
            "resumed after AddLearner");

        // 3. n3 -> n2 (as n2.1) stopped after the promotion (four voters): n3 removed, unlisted, retired.
        interrupt("n3", "n2.1", 4);
        check(await(admin.moveReplica(100, "n3", "n2")), List.of("g100|n4.1", "g100|n1.1", "g100|n2.1"), "g100|n3", writer,
            "resumed after the promotion");

        // 4. n4.1 -> n3 (as n3.1) stopped after the group removed n4.1 (the list a superset): unlisted, retired.
        interrupt("n4.1", "n3.1", 5);
        check(await(admin.moveReplica(100, "n4", "n3")), List.of("g100|n1.1", "g100|n2.1", "g100|n3.1"), "g100|n4.1",
            writer, "resumed after the removal");

        // 5. n1.1 -> n4 (as n4.2) stopped once created as a learner: finished the same way.
        interrupt("n1.1", "n4.2", 3);
        check(await(admin.moveReplica(100, "n1", "n4")), List.of("g100|n2.1", "g100|n3.1", "g100|n4.2"), "g100|n1.1",
            writer, "resumed after the learner's creation");
        assertEquals(first.shards(), config(await(admin.shards())).shards(), "no shard moved");
      } finally {
        writer.stop.set(true);
        writing.join(60_000);
      }
      writer.checkAllReadable("the writes stopped");
      assertTrue(writer.acked.size() > 10, () -> "writes acknowledged: " + writer.acked.size() + ", failed "
          + writer.failed.get() + ", last failure " + writer.lastFailure);
    } finally {
      if (ctl != null) ctl.close();
      for (ShardedNode n : all) n.close();
      ReplicaMoveTest.deleteDirectory(data);
    }
  }
}
