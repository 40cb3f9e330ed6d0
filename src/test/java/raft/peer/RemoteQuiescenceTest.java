package raft.peer;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.Optional;
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
 * Quiescence across ActorSystems (Artery TCP, real time): the idle group goes silent, and when the
 * leader's node goes, the followers' remote DeathWatch on the leader's actor (through
 * RemotePeerTransport.actorOf) wakes them and they elect a new leader. Nothing else would wake
 * them: they do not tick.
 */
class RemoteQuiescenceTest {
  private static final GroupId GROUP = GroupId.of("remote-quiesce-" + System.nanoTime());
  private static final List<PeerId> IDS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final RaftConfig CFG = RaftConfig.defaults().withQuiesceTicks(5);
  private static final Map<PeerId, ActorTestKit> KITS = new HashMap<>();
  private static final List<CountingTransport> COUNTERS = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static Config remote() {
    return ConfigFactory.parseString("""
        akka.actor.provider = remote
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        akka.remote.artery.canonical.port = 0
        # probes of one system answer peers of another: local refs cannot go through the serialization check
        akka.actor.serialize-messages = off
        # remote DeathWatch without a cluster: Akka 2.6 drops such watches unless this is on (in a
        # cluster it works between members)
        akka.remote.use-unsafe-remote-features-outside-cluster = on
        # the node-death detector behind remote DeathWatch, faster than its 10 s default
        akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 3s
        akka.remote.watch-failure-detector.unreachable-nodes-reaper-interval = 500ms
        """).withFallback(ConfigFactory.load());
  }

  @BeforeAll
  static void start() {
    for (PeerId p : IDS) KITS.put(p, ActorTestKit.create("quiet-" + p.id(), remote()));
  }

  @AfterAll
  static void stop() {
    KITS.values().forEach(ActorTestKit::shutdownTestKit);
  }

  private static ActorRef<RaftPeer.Command> spawn(PeerId self) {
    ActorTestKit kit = KITS.get(self);
    Map<PeerId, String> addresses = new HashMap<>();
    for (PeerId p : IDS) if (!p.equals(self)) addresses.put(p, KITS.get(p).system().address().toString());
    CountingTransport transport = new CountingTransport(new RemotePeerTransport(kit.system(), GROUP, addresses));
    COUNTERS.add(transport);
    return kit.spawn(RaftPeer.create(GROUP, self, IDS, CFG, PeerSettings.defaults(), transport,
        kit.spawn(new AppliedLog().behavior())), RemotePeerTransport.actorName(GROUP, self));
  }

  private static long sent() {
    return COUNTERS.stream().mapToLong(c -> c.sent.get()).sum();
  }

  private static RaftStatus status(ActorRef<RaftPeer.Command> peer) {
    TestProbe<RaftStatus> probe = KITS.values().iterator().next().createTestProbe();
    peer.tell(new RaftPeer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, Duration.ofSeconds(5));
  }

  private static PeerId awaitLeader(Map<PeerId, ActorRef<RaftPeer.Command>> peers, TestProbe<?> probe) {
    return probe.awaitAssert(WAIT, Duration.ofMillis(100), () -> {
      for (Map.Entry<PeerId, ActorRef<RaftPeer.Command>> e : peers.entrySet()) {
        RaftStatus s = status(e.getValue());
        if (s.isLeader() && peers.values().stream().allMatch(p -> status(p).leader().equals(Optional.of(e.getKey()))))
          return e.getKey();
      }
      throw new AssertionError("no agreed leader yet");
    });
  }

  @Test
  void anIdleGroupGoesSilentAndTheDeathOfItsLeaderWakesTheFollowersOverRemoting() {
    Map<PeerId, ActorRef<RaftPeer.Command>> peers = new HashMap<>();
    for (PeerId p : IDS) peers.put(p, spawn(p));
    TestProbe<ProposeResult> replies = KITS.get(IDS.get(0)).createTestProbe();
    PeerId leader = awaitLeader(peers, replies);
    peers.get(leader).tell(new RaftPeer.Propose(Bytes.utf8("x"), replies.ref()));
    replies.expectMessageClass(ProposeResult.Accepted.class, WAIT);
    // Silent: nothing sent for 2 s (20 heartbeat intervals), within the deadline.
    long[] seen = {sent(), System.nanoTime()};
    replies.awaitAssert(WAIT, Duration.ofMillis(200), () -> {
      long now = sent();
      if (now != seen[0]) {
        seen[0] = now;
        seen[1] = System.nanoTime();
      }
      assertTrue(System.nanoTime() - seen[1] > 2_000_000_000L, "still sending");
      return null;
    });
    long term = status(peers.get(leader)).term();
    // The leader's whole node goes (the refs carry no incarnation, so remote DeathWatch reports the
    // loss of the node, seen by Artery's failure detector, not an actor stopped on a live node).
    peers.remove(leader);
    KITS.remove(leader).shutdownTestKit();
    PeerId next = awaitLeader(peers, KITS.values().iterator().next().createTestProbe());
    assertNotEquals(leader, next);
    assertTrue(status(peers.get(next)).term() > term);
  }
}
