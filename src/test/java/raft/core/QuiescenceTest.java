package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.Heartbeat;
import raft.message.PreVote;
import raft.message.RaftMessage;
import raft.message.WakeUp;
import testkit.SeedExtension;
import testkit.sim.RaftSim;
import testkit.sim.SimPeer;

/**
 * Quiescence (RaftConfig.quiesceTicks, TiKV's hibernate regions): an idle group stops its per-tick
 * work, anything wakes it, and a dead leader is noticed through {@link RaftNode#peerUnreachable}.
 */
@ExtendWith(SeedExtension.class)
class QuiescenceTest {
  private static final int QUIESCE = 6;
  private static final RaftConfig CFG = RaftConfig.defaults().withQuiesceTicks(QUIESCE);
  private static final List<PeerId> ALL = List.of(p(1), p(2), p(3));

  private static boolean quiesced(RaftSim sim, PeerId p) {
    return sim.peer(p).node().isQuiesced();
  }

  private static boolean allQuiesced(RaftSim sim, List<PeerId> peers) {
    return peers.stream().allMatch(p -> quiesced(sim, p));
  }

  /** Ticks everyone, delivering everything after each tick, until all of {@code peers} are quiesced; returns the ticks taken. */
  private static int tickUntilQuiesced(RaftSim sim, List<PeerId> peers, int max) {
    for (int t = 1; t <= max; t++) {
      sim.tickAll(1);
      sim.stabilize();
      if (allQuiesced(sim, peers)) return t;
    }
    throw new AssertionError("not all of " + peers + " quiesced within " + max + " ticks");
  }

  private static RaftSim quiescedGroup(RaftConfig cfg, long seed) {
    RaftSim sim = Clusters.elected(3, cfg, seed);
    tickUntilQuiesced(sim, ALL, 3 * cfg.quiesceTicks());
    return sim;
  }

  @Test
  void anIdleGroupQuiescesAfterQuiesceTicksAndNotBefore(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed); // three heartbeat rounds: idle, but not yet for QUIESCE ticks
    assertFalse(quiesced(sim, p(1)), "idle for fewer than " + QUIESCE + " ticks");
    int ticks = tickUntilQuiesced(sim, ALL, 2 * QUIESCE);
    assertTrue(ticks <= QUIESCE, "quiesced after " + ticks + " more ticks");
  }

  @Test
  void aQuiescedGroupSendsNothingAndNobodyCampaigns(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    for (int i = 0; i < 20 * CFG.electionTicks(); i++) {
      for (PeerId p : ALL) {
        sim.peer(p).tick();
        assertEquals(List.of(), sim.peer(p).drain(), p + " sent something while quiesced");
      }
    }
    assertTrue(sim.peer(p(1)).node().isLeader());
    for (PeerId p : ALL) assertEquals(term, sim.peer(p).node().term());
  }

  @Test
  void aGroupDoesNotQuiesceWhileDisabled(long seed) {
    RaftSim sim = Clusters.elected(3, RaftConfig.defaults(), seed);
    for (int i = 0; i < 10 * QUIESCE; i++) {
      sim.tickAll(1);
      sim.stabilize();
    }
    for (PeerId p : ALL) assertFalse(quiesced(sim, p));
  }

  @Test
  void aProposalWakesTheGroupAndItQuiescesAgainOnceIdle(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    assertTrue(sim.propose(p(1), "x") instanceof ProposeResult.Accepted);
    assertFalse(quiesced(sim, p(1)));
    sim.stabilize();
    for (PeerId p : ALL) assertFalse(quiesced(sim, p), p + " got the append: awake");
    tickUntilQuiesced(sim, ALL, 3 * QUIESCE);
    for (PeerId p : ALL) assertEquals(List.of("x"), sim.appliedCommands(p));
  }

  @Test
  void aVoteRequestWakesAFollowerWhichAsksTheLeaderToWakeAndNoElectionFollows(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    long last = sim.peer(p(3)).node().status().lastIndex();
    sim.peer(p(2)).step(new PreVote(term + 1, p(3), p(2), last, term));
    assertFalse(quiesced(sim, p(2)));
    List<RaftMessage> out = sim.peer(p(2)).drain();
    assertEquals(List.of(new WakeUp(term, p(2), p(1))), out, "ignored in lease, and a wake-up for the leader");
    sim.send(out);
    sim.stabilize();
    assertFalse(quiesced(sim, p(1)), "the leader woke and heartbeats");
    for (int i = 0; i < 5 * CFG.electionTicks(); i++) {
      sim.tickAll(1);
      sim.stabilize();
    }
    assertTrue(sim.peer(p(1)).node().isLeader());
    assertEquals(term, sim.peer(p(2)).node().term());
  }

  @Test
  void aMessageFromAPeerOutsideTheMembershipWakesNobody(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.peer(p(2)).step(new PreVote(term + 1, p(9), p(2), 100, term));
    assertTrue(quiesced(sim, p(2)), "a removed peer that keeps running must not keep the group awake");
  }

  @Test
  void aFollowerWokenByTheLeaderDownSignalElectsANewLeader(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.crash(p(1));
    for (int i = 0; i < 10 * CFG.electionTicks(); i++) sim.tickAll(1);
    assertTrue(sim.leader().isEmpty(), "without the signal a quiesced group never notices its leader died");
    sim.peer(p(2)).node().peerUnreachable(p(1));
    sim.peer(p(3)).node().peerUnreachable(p(1));
    sim.enqueueFrom(p(2));
    sim.enqueueFrom(p(3));
    PeerId next = sim.tickUntilLeader(List.of(p(2), p(3)), term, 10 * CFG.electionTicks());
    assertTrue(sim.propose(next, "after") instanceof ProposeResult.Accepted);
    sim.stabilize();
    sim.tickAll(1);
    sim.stabilize();
    assertEquals(List.of("after"), sim.appliedCommands(p(2)));
    assertEquals(List.of("after"), sim.appliedCommands(p(3)));
  }

  @Test
  void oneFollowerWokenByTheSignalIsEnoughToReplaceADeadLeader(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.crash(p(1));
    sim.peer(p(2)).node().peerUnreachable(p(1)); // p3's failure detector has not said so (yet)
    sim.enqueueFrom(p(2));
    PeerId next = sim.tickUntilLeader(List.of(p(2), p(3)), term, 10 * CFG.electionTicks());
    assertTrue(sim.peer(next).node().term() > term);
  }

  @Test
  void aWrongLeaderDownSignalElectsNoNewLeader(long seed) {
    for (RaftConfig cfg : List.of(CFG, CFG.withPreVote(false), CFG.withCheckQuorum(false).withPreVote(false))) {
      RaftSim sim = quiescedGroup(cfg, seed);
      long term = sim.peer(p(1)).node().term();
      sim.peer(p(2)).node().peerUnreachable(p(1)); // the leader is alive: the failure detector was wrong
      sim.peer(p(3)).node().peerUnreachable(p(1));
      sim.enqueueFrom(p(2));
      sim.enqueueFrom(p(3));
      sim.stabilize();
      for (int i = 0; i < 10 * cfg.electionTicks(); i++) {
        sim.tickAll(1);
        sim.stabilize();
        assertEquals(Optional.of(p(1)), sim.leader(), cfg.toString());
      }
      for (PeerId p : ALL) assertEquals(term, sim.peer(p).node().term(), p + " with " + cfg);
    }
  }

  @Test
  void aLeaderDoesNotQuiesceWhileAFollowerLagsAndDoesOnceItCaughtUp(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.isolate(p(3));
    sim.propose(p(1), "x");
    sim.stabilize();
    for (int i = 0; i < 10 * QUIESCE; i++) {
      sim.tickAll(1);
      sim.stabilize();
      assertFalse(quiesced(sim, p(1)), "p3 does not hold the log yet");
    }
    sim.heal();
    tickUntilQuiesced(sim, ALL, 20 * QUIESCE);
    assertEquals(List.of("x"), sim.appliedCommands(p(3)));
  }

  @Test
  void aLeaderDoesNotQuiesceWhileAFollowerDoesNotAnswer(long seed) {
    RaftConfig cfg = CFG.withCheckQuorum(false);
    RaftSim sim = new RaftSim(3, cfg, seed, RaftLogger.SILENT);
    sim.campaign(p(1)); // p3 acknowledged the leader's no-op: it holds the whole log
    sim.isolate(p(3)); // but never answers again
    for (int i = 0; i < 10 * QUIESCE; i++) {
      sim.tick(p(1), 1);
      sim.tick(p(2), 1);
      sim.stabilize();
      assertFalse(quiesced(sim, p(1)));
    }
  }

  @Test
  void aQuiescedLeaderCutOffFromItsGroupStepsDownOnceWokenAndTheRestElect(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.isolate(p(1));
    // Every side's failure detector reports the other side.
    sim.peer(p(1)).node().peerUnreachable(p(2));
    sim.peer(p(1)).node().peerUnreachable(p(3));
    for (PeerId p : List.of(p(2), p(3))) {
      sim.peer(p).node().peerUnreachable(p(1));
      sim.enqueueFrom(p);
    }
    sim.enqueueFrom(p(1));
    PeerId next = sim.tickUntilLeader(List.of(p(2), p(3)), term, 10 * CFG.electionTicks());
    for (int i = 0; i < 2 * CFG.electionTicks(); i++) sim.tick(p(1), 1);
    assertFalse(sim.peer(p(1)).node().isLeader(), "check-quorum: the woken old leader heard no quorum");
    sim.heal();
    for (int i = 0; i < 3; i++) {
      sim.tickAll(1);
      sim.stabilize();
    }
    assertEquals(Optional.of(next), sim.peer(p(1)).node().leader());
  }

  @Test
  void aStaleQuiesceHeartbeatDoesNotQuiesceAFollowerThatHasMore(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    RaftNode follower = sim.peer(p(2)).node();
    long term = follower.term();
    long last = follower.status().lastIndex();
    sim.propose(p(1), "x");
    sim.stabilize();
    assertEquals(last + 1, follower.status().lastIndex());
    follower.step(new Heartbeat(term, p(1), p(2), last, 0, true)); // delayed from before the proposal
    assertFalse(follower.isQuiesced());
    assertTrue(sim.peer(p(2)).drain().contains(new WakeUp(term, p(2), p(1))), "it tells the leader to stay awake");
  }

  @Test
  void aQuiescedLeaderServesNoLeaseReadWithoutAFreshRound(long seed) {
    RaftConfig cfg = CFG.withReadLease(RaftConfig.ReadLease.withMaxClockDrift(0.1));
    RaftSim sim = quiescedGroup(cfg, seed);
    SimPeer leader = sim.peer(p(1));
    leader.node().leaseRead(7);
    List<RaftMessage> out = leader.drain();
    assertEquals(List.of(), leader.takeReadStates(), "its lease was dated before it slept: a round first");
    assertTrue(out.stream().anyMatch(m -> m instanceof Heartbeat), "the woken leader heartbeats at once");
    sim.send(out);
    sim.stabilize();
    assertEquals(List.of(new ReadState(7, leader.node().status().commitIndex())), leader.takeReadStates());
    leader.node().leaseRead(8);
    leader.drain();
    assertEquals(List.of(new ReadState(8, leader.node().status().commitIndex())), leader.takeReadStates(),
        "the round after waking dates a new lease");
  }

  @Test
  void aReadIndexWakesTheGroup(long seed) {
    RaftSim sim = quiescedGroup(CFG, seed);
    sim.peer(p(3)).node().readIndex(1);
    sim.enqueueFrom(p(3));
    sim.stabilize();
    assertFalse(quiesced(sim, p(1)));
    assertEquals(1, sim.peer(p(3)).takeReadStates().size());
  }

  @Test
  void invalidQuiesceTicksAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RaftConfig.defaults().withQuiesceTicks(-1).validate());
    assertThrows(IllegalArgumentException.class,
        () -> RaftConfig.defaults().withHeartbeatTicks(3).withQuiesceTicks(5).validate());
  }
}
