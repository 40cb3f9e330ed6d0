package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.transport.LocalPeerTransport;
import testkit.SeedExtension;

/**
 * Issue 10, defect 5, on the replica actor: a command whose {@code apply} throws is answered with
 * a typed failure, the replica goes on, and a replica that replays the log after a restart does
 * not fail on it again. One peer (its own majority), in-memory journal, ManualTime.
 */
@ExtendWith(SeedExtension.class)
class ReplicatedStateMachineTest {
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ActorTestKit kit;
  private static ManualTime time;

  @BeforeAll
  static void setUp() {
    // The replica's protocol stays inside its actor (services wrap it), so it is not serializable.
    kit = ActorTestKit.create(ConfigFactory.parseString("akka.actor.serialize-messages = off")
        .withFallback(ManualTime.config())
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
    time = ManualTime.get(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static ActorRef<ReplicatedStateMachine.Command> start(GroupId group, long seed) {
    PeerId self = PeerId.of("p1");
    LocalPeerTransport transport = new LocalPeerTransport();
    ReplicatedStateMachine.PeerSpec peer = new ReplicatedStateMachine.PeerSpec(group, self,
        applied -> RaftPeer.create(group, self, List.of(self), RaftConfig.defaults(),
            PeerSettings.defaults().withSeed(seed), transport, applied),
        ref -> transport.register(self, ref));
    ReplicatedStateMachine.Service<KvCommand, KvReply> service = new ReplicatedStateMachine.Service<>(new ThrowingKv(),
        KvCodec.COMMANDS, KvCodec.RESULTS, KvServer.REPLIES, c -> Optional.empty(), 0);
    ActorRef<ReplicatedStateMachine.Command> rsm = kit.spawn(ReplicatedStateMachine.create(peer, service));
    TestProbe<RaftStatus> status = kit.createTestProbe();
    for (int i = 0; i < 100; i++) {
      time.timePasses(PeerSettings.defaults().tickInterval());
      rsm.tell(new ReplicatedStateMachine.GetStatus(status.ref()));
      if (status.receiveMessage(WAIT).isLeader()) return rsm;
    }
    throw new AssertionError("a single peer did not become leader");
  }

  private static KvReply submit(ActorRef<ReplicatedStateMachine.Command> rsm, long client, long seq, KvCommand c) {
    TestProbe<KvReply> probe = kit.createTestProbe();
    rsm.tell(new ReplicatedStateMachine.Submit<>(client, seq, c, probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  @Test
  void aCommandWhoseApplyThrowsIsAnsweredRejectedAndTheReplicaGoesOn(long seed) {
    GroupId group = GroupId.of("rsm" + GROUPS.incrementAndGet());
    ActorRef<ReplicatedStateMachine.Command> rsm = start(group, seed);
    assertEquals(KvReply.DONE, submit(rsm, 1, 1, new KvCommand.Put("a", "1")));
    KvReply.Rejected failed = assertInstanceOf(KvReply.Rejected.class, submit(rsm, 1, 2, new KvCommand.Put("boom", "x")));
    assertTrue(failed.reason().contains("planted failure"), failed.reason());
    assertEquals(failed, submit(rsm, 1, 2, new KvCommand.Put("boom", "x")), "a retry gets the same failure");
    assertEquals(KvReply.DONE, submit(rsm, 1, 3, new KvCommand.Put("b", "2")), "the replica goes on");
    kit.stop(rsm, WAIT);

    // Restarted, the replica replays the log with the failing entry in it and serves on.
    ActorRef<ReplicatedStateMachine.Command> again = start(group, seed);
    assertEquals(new KvReply.Value("2"), submit(again, 0, 0, new KvCommand.Get("b")));
    assertEquals(KvReply.DONE, submit(again, 1, 3, new KvCommand.Put("b", "2")), "answered from the session");
    assertEquals(KvReply.DONE, submit(again, 1, 4, new KvCommand.Put("c", "3")));
    assertEquals(new KvReply.Value("1"), submit(again, 0, 0, new KvCommand.Get("a")));
    kit.stop(again, WAIT);
  }
}
