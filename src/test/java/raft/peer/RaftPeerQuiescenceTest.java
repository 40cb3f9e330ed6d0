package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import testkit.SeedExtension;

/**
 * Quiescence on the actor peers (ManualTime, in-memory journal): an idle group sends nothing and
 * stops its tick timers, a proposal wakes it, and when the leader's actor stops, the followers'
 * DeathWatch on it wakes them and they elect a new leader.
 */
@ExtendWith(SeedExtension.class)
class RaftPeerQuiescenceTest {
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static final RaftConfig CFG = RaftConfig.defaults().withQuiesceTicks(5);
  private static ActorTestKit kit;
  private static ManualTime time;
  private PeerGroup group;

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
  void stopGroup() {
    if (group != null) group.stopAll();
  }

  /** Ticks until nothing has been sent for 20 ticks in a row; returns the count then. */
  private static long tickUntilSilent(PeerGroup g, CountingTransport counting) {
    long before = counting.sent.get();
    int silent = 0;
    for (int i = 0; i < 400 && silent < 20; i++) {
      g.tick();
      g.running().forEach(g::status); // a round trip to every peer: what the tick started has run
      long now = counting.sent.get();
      silent = now == before ? silent + 1 : 0;
      before = now;
    }
    assertEquals(20, silent, "the idle group kept sending");
    return before;
  }

  @Test
  void anIdleGroupGoesSilentWakesOnAProposalAndReplacesALeaderWhoseActorStopped(long seed) {
    CountingTransport[] counting = new CountingTransport[1];
    group = new PeerGroup(kit, time, GroupId.of("q" + GROUPS.incrementAndGet()), 3, CFG,
        p -> PeerSettings.defaults().withSeed(seed)).sendingThrough(t -> counting[0] = new CountingTransport(t)).startAll();
    PeerGroup g = group;
    PeerId leader = g.awaitLeader();
    long x = g.proposeAccepted(leader, "x").index();
    for (PeerId p : g.ids) g.awaitApplied(p, x);
    long sent = tickUntilSilent(g, counting[0]);
    for (int i = 0; i < 10 * CFG.electionTicks(); i++) g.tick();
    g.running().forEach(g::status);
    assertEquals(sent, counting[0].sent.get(), "a quiesced group sends no heartbeats");
    assertEquals(leader, g.awaitLeader(), "and nobody campaigned");

    long y = g.proposeAccepted(leader, "y").index();
    for (PeerId p : g.ids) g.awaitApplied(p, y);
    tickUntilSilent(g, counting[0]);

    long term = g.status(leader).term();
    g.stop(leader); // the followers watch its actor while quiesced
    PeerId next = g.awaitLeader();
    assertNotEquals(leader, next);
    assertTrue(g.status(next).term() > term);
    long z = g.proposeAccepted(next, "z").index();
    for (PeerId p : g.running()) g.awaitApplied(p, z);
  }
}
