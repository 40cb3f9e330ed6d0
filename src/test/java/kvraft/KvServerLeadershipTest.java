package kvraft;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.message.RaftMessage;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;
import raft.transport.PeerTransport;
import testkit.SeedExtension;

/**
 * Issue 10, defect 3, on the shipped actors (three {@link KvServer}s, in-memory journal, every
 * message serialized, {@link ManualTime}): a leader cut off from its majority fails the calls
 * waiting on it as soon as it learns it no longer leads, long before a client's 10 s deadline,
 * and holds at most {@code maxWaitingCalls} of them meanwhile (Busy past that).
 */
@ExtendWith(SeedExtension.class)
class KvServerLeadershipTest {
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static final Duration TICK = PeerSettings.defaults().tickInterval();
  /** The client's deadline over all attempts ({@link AkkaKvClient.Settings#defaults()}). */
  private static final Duration CLIENT_DEADLINE = AkkaKvClient.Settings.defaults().deadline();

  private static ActorTestKit kit;
  private static ManualTime time;
  private Group group;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(ManualTime.config()
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
    time = ManualTime.get(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void stop() {
    if (group != null) group.servers.values().forEach(s -> kit.stop(s, Duration.ofSeconds(10)));
  }

  /** Peers of one group on the local transport; messages to or from a cut-off peer are dropped. */
  private static final class Partitionable implements PeerTransport {
    final LocalPeerTransport local = new LocalPeerTransport();
    final Set<PeerId> cut = ConcurrentHashMap.newKeySet();

    @Override
    public void send(RaftMessage m) {
      if (cut.contains(m.from()) != cut.contains(m.to())) return;
      local.send(m);
    }
  }

  private static final class Group {
    final List<PeerId> ids = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
    final Partitionable net = new Partitionable();
    final Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();

    Group(long seed, KvSettings settings) {
      GroupId g = GroupId.of("lead" + GROUPS.incrementAndGet());
      for (PeerId p : ids) {
        ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(g, p,
            applied -> RaftPeer.create(g, p, ids, RaftConfig.defaults(), PeerSettings.defaults().withSeed(seed), net,
                applied),
            ref -> net.local.register(p, ref));
        servers.put(p, kit.spawn(KvServer.create(spec, settings), KvServer.actorName(g, p)));
      }
    }

    RaftStatus status(PeerId p) {
      TestProbe<RaftStatus> probe = kit.createTestProbe();
      servers.get(p).tell(new KvServer.GetStatus(probe.ref()));
      return probe.expectMessageClass(RaftStatus.class, Duration.ofSeconds(10));
    }

    /** Ticks until the peers in {@code among} agree on a leader among them. */
    PeerId awaitLeader(List<PeerId> among) {
      for (int i = 0; i < 200; i++) {
        tick();
        List<RaftStatus> all = among.stream().map(this::status).toList();
        Optional<RaftStatus> leader = all.stream().filter(RaftStatus::isLeader).findFirst();
        if (leader.isPresent() && all.stream().allMatch(s -> s.leader().equals(Optional.of(leader.get().id()))))
          return leader.get().id();
      }
      throw new AssertionError("no leader among " + among);
    }

    TestProbe<KvReply> put(PeerId p, long client, long seq, String key) {
      TestProbe<KvReply> probe = kit.createTestProbe();
      servers.get(p).tell(new KvServer.Execute(client, seq, new KvCommand.Put(key, "v" + client), probe.ref()));
      return probe;
    }
  }

  /** Ticks passed in this JVM: virtual time is {@code ticks * TICK}. */
  private static final AtomicInteger TICKS = new AtomicInteger();

  private static void tick() {
    time.timePasses(TICK);
    TICKS.incrementAndGet();
  }

  /** Ticks {@code n} times, moving every reply that arrived meanwhile into {@code got}. */
  private static void tickCollecting(int n, List<TestProbe<KvReply>> probes, Map<Integer, KvReply> got) {
    for (int t = 0; t < n; t++) {
      tick();
      collect(probes, got, Duration.ofMillis(5));
    }
  }

  /** Moves the replies that arrive within {@code wait} (real time, per probe) into {@code got}. */
  private static void collect(List<TestProbe<KvReply>> probes, Map<Integer, KvReply> got, Duration wait) {
    for (int i = 0; i < probes.size(); i++) {
      if (got.containsKey(i)) continue;
      try {
        got.put(i, probes.get(i).receiveMessage(wait));
      } catch (AssertionError nothingYet) {
        // still waiting
      }
    }
  }

  @Test
  void aDeposedLeaderFailsItsWaitingCallsWithWrongLeaderAtOnce(long seed) {
    group = new Group(seed, KvSettings.defaults());
    PeerId old = group.awaitLeader(group.ids);
    assertEquals(KvReply.DONE, group.put(old, 1, 1, "warm").receiveMessage(Duration.ofSeconds(10)));

    group.net.cut.add(old);
    List<TestProbe<KvReply>> waiting = new ArrayList<>();
    for (int c = 0; c < 3; c++) waiting.add(group.put(old, 10 + c, 1, "k" + c));
    Map<Integer, KvReply> got = new LinkedHashMap<>();
    collect(waiting, got, Duration.ofMillis(200));
    assertTrue(got.isEmpty(), () -> "a cut-off leader cannot commit: " + got);

    List<PeerId> majority = group.ids.stream().filter(p -> !p.equals(old)).toList();
    PeerId next = group.awaitLeader(majority); // the majority moves on (how many ticks that takes is the election's business)
    int electedAt = TICKS.get();
    tickCollecting(5, waiting, got);
    group.net.cut.clear(); // the old leader hears the new term and steps down (if check-quorum has not made it already)
    int answeredAt = -1;
    for (int t = 0; t < 10 && answeredAt < 0; t++) {
      tickCollecting(1, waiting, got);
      if (got.size() == 3) answeredAt = TICKS.get();
    }
    assertEquals(3, got.size(), () -> "every waiting caller answered; got " + got);
    for (KvReply r : got.values()) assertInstanceOf(KvReply.WrongLeader.class, r);
    Duration elapsed = TICK.multipliedBy(answeredAt - electedAt);
    assertTrue(elapsed.multipliedBy(2).compareTo(CLIENT_DEADLINE) < 0,
        () -> "answered " + elapsed + " (virtual) after a new leader was elected, well before the client deadline "
            + CLIENT_DEADLINE);

    // Their retries with the same (clientId, seq) on the new leader apply each write once.
    for (int c = 0; c < 3; c++)
      assertEquals(KvReply.DONE, group.put(next, 10 + c, 1, "k" + c).receiveMessage(Duration.ofSeconds(10)));
    TestProbe<KvReply> read = kit.createTestProbe();
    group.servers.get(next).tell(new KvServer.Execute(0, 0, new KvCommand.Scan("k", "l", 10), read.ref()));
    assertEquals(3, assertInstanceOf(KvReply.Scanned.class, read.receiveMessage(Duration.ofSeconds(10))).entries().size());
  }

  @Test
  void aLeaderCutOffFromItsMajorityAnswersBusyPastTheBound(long seed) {
    group = new Group(seed, KvSettings.defaults().withMaxWaitingCalls(4));
    PeerId old = group.awaitLeader(group.ids);
    group.net.cut.add(old);
    List<TestProbe<KvReply>> calls = new ArrayList<>();
    for (int c = 0; c < 10; c++) calls.add(group.put(old, 100 + c, 1, "b" + c));
    Map<Integer, KvReply> got = new LinkedHashMap<>();
    collect(calls, got, Duration.ofMillis(300)); // no time passes: only the bound can answer
    assertEquals(6, got.size(), () -> "6 of 10 shed at once: " + got);
    for (KvReply r : got.values()) assertEquals(KvReply.BUSY, r);

    group.awaitLeader(group.ids.stream().filter(p -> !p.equals(old)).toList());
    group.net.cut.clear();
    tickCollecting(20, calls, got);
    assertEquals(10, got.size(), () -> "the 4 held calls are let go too: " + got);
    assertEquals(4, got.values().stream().filter(r -> r instanceof KvReply.WrongLeader).count(), got::toString);
  }
}
