package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.transport.RemotePeerTransport;
import wire.Bytes;

/**
 * A snapshot larger than Artery's frame (2 MiB) reaches a follower in another ActorSystem: two
 * peers elect a leader and snapshot 6 MiB of service state; the third peer, in a system of its
 * own like the others, starts late and must install it. Sent whole, the InstallSnapshot was dropped by
 * Artery with an ERROR line every time, and the third peer stayed at commit 0.
 */
class RemoteSnapshotStreamTest {
  /** Unique per run: the local snapshot store under target/ outlives the in-memory journal. */
  private static final GroupId GROUP = GroupId.of("remote-snap-" + System.nanoTime());
  private static final List<PeerId> IDS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** One system per peer, as in production: refs to a peer of one's own system would resolve once, too early. */
  private static final Map<PeerId, ActorTestKit> KITS = new HashMap<>();

  private static Config remote() {
    return ConfigFactory.parseString("""
        akka.actor.provider = remote
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        akka.remote.artery.canonical.port = 0
        akka.actor.serialize-messages = off
        """).withFallback(ConfigFactory.load());
  }

  @BeforeAll
  static void start() {
    for (PeerId p : IDS) KITS.put(p, ActorTestKit.create("sys-" + p.id(), remote()));
  }

  @AfterAll
  static void stop() {
    KITS.values().forEach(ActorTestKit::shutdownTestKit);
  }

  private static ActorRef<RaftPeer.Command> spawn(PeerId self, AppliedLog log) {
    ActorTestKit kit = KITS.get(self);
    Map<PeerId, String> addresses = new HashMap<>();
    for (PeerId p : IDS) if (!p.equals(self)) addresses.put(p, KITS.get(p).system().address().toString());
    RemotePeerTransport transport = new RemotePeerTransport(kit.system(), GROUP, addresses);
    PeerSettings settings = PeerSettings.defaults();
    return kit.spawn(RaftPeer.create(GROUP, self, IDS, RaftConfig.defaults(), settings, transport,
        kit.spawn(log.behavior())), RemotePeerTransport.actorName(GROUP, self));
  }

  private static RaftStatus status(ActorRef<RaftPeer.Command> peer) {
    ActorTestKit kit = KITS.get(IDS.get(0));
    TestProbe<RaftStatus> probe = kit.createTestProbe();
    peer.tell(new RaftPeer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, Duration.ofSeconds(5));
  }

  @Test
  void aSixMebibyteSnapshotReachesAFollowerInAnotherSystem() {
    AppliedLog log1 = new AppliedLog();
    AppliedLog log2 = new AppliedLog();
    Map<PeerId, ActorRef<RaftPeer.Command>> peers = Map.of(IDS.get(0), spawn(IDS.get(0), log1), IDS.get(1),
        spawn(IDS.get(1), log2));
    TestProbe<ProposeResult> replies = KITS.get(IDS.get(0)).createTestProbe();
    ActorRef<RaftPeer.Command> leader = replies.awaitAssert(WAIT, Duration.ofMillis(100), () -> {
      for (ActorRef<RaftPeer.Command> p : peers.values()) if (status(p).isLeader()) return p;
      throw new AssertionError("no leader yet");
    });
    long last = 0;
    for (int i = 0; i < 3; i++) {
      leader.tell(new RaftPeer.Propose(Bytes.utf8("c" + i), replies.ref()));
      last = replies.expectMessageClass(ProposeResult.Accepted.class, WAIT).index();
    }
    long index = last;
    replies.awaitAssert(WAIT, () -> {
      assertTrue(log1.lastIndex() >= index && log2.lastIndex() >= index);
      return null;
    });
    byte[] state = new byte[6 * 1024 * 1024];
    new SplittableRandom(7).nextBytes(state);
    Bytes image = Bytes.wrap(state);
    for (ActorRef<RaftPeer.Command> p : peers.values()) p.tell(new RaftPeer.TakeSnapshot(index, image));
    replies.awaitAssert(WAIT, () -> {
      assertEquals(index + 1, status(leader).firstIndex(), "the leader compacted its log");
      return null;
    });

    AppliedLog log3 = new AppliedLog();
    ActorRef<RaftPeer.Command> late = spawn(IDS.get(2), log3);
    replies.awaitAssert(WAIT, Duration.ofMillis(200), () -> {
      assertEquals(index, log3.snapshot().meta().index(), "the late follower installed the snapshot");
      return null;
    });
    assertEquals(image, log3.snapshot().data(), "byte for byte");
    assertTrue(status(late).commitIndex() >= index);
    assertEquals(List.of(), log3.violations());
  }
}
