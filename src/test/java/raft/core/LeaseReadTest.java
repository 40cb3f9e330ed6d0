package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.RaftConfig;
import raft.RaftConfig.ReadLease;
import raft.message.Heartbeat;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;
import testkit.SeedExtension;
import testkit.sim.RaftSim;
import testkit.sim.SimPeer;

/** Lease reads (thesis §6.4.1, etcd's ReadOnlyLeaseBased): served without a round only while the lease holds. */
@ExtendWith(SeedExtension.class)
class LeaseReadTest {
  /** Election timeout 10, heartbeat 1, drift 10 %: a lease of floor(9 / 1.1) = 8 ticks. */
  private static final RaftConfig CFG = RaftConfig.defaults().withReadLease(ReadLease.withMaxClockDrift(0.1));
  private static final int LEASE = CFG.readLease().leaseTicks(CFG.electionTicks());

  /** p1 leads, one write committed, and the answers to its latest heartbeat are in. */
  private static RaftSim settled(int voters, long seed) {
    RaftSim sim = Clusters.elected(voters, CFG, seed);
    assertTrue(sim.propose(p(1), "x") instanceof ProposeResult.Accepted);
    Clusters.settle(sim, CFG);
    return sim;
  }

  private static List<Heartbeat> heartbeats(List<RaftMessage> out) {
    return out.stream().filter(m -> m instanceof Heartbeat).map(m -> (Heartbeat) m).toList();
  }

  @Test
  void theLeaseIsFloorOfElectionTicksLessOneOverOnePlusTheDrift() {
    assertEquals(8, LEASE);
    assertEquals(4, ReadLease.withMaxClockDrift(1.0).leaseTicks(10));
    assertEquals(9, ReadLease.withMaxClockDrift(0).leaseTicks(10));
    assertEquals(0, ReadLease.OFF.leaseTicks(10));
  }

  @Test
  void aLeaderHoldingItsLeaseServesAtOnceWithoutAHeartbeatRound(long seed) {
    RaftSim sim = settled(3, seed);
    SimPeer leader = sim.peer(p(1));
    long commit = leader.node().status().commitIndex();
    leader.node().leaseRead(1);
    leader.node().leaseRead(2);
    assertEquals(List.of(), leader.drain(), "no heartbeat round for a lease read");
    assertEquals(List.of(new ReadState(1, commit), new ReadState(2, commit)), leader.takeReadStates());
  }

  @Test
  void theLeaseLastsLeaseTicksFromWhenTheAnsweredHeartbeatWasSentThenReadsWaitForARound(long seed) {
    RaftSim sim = settled(3, seed);
    SimPeer leader = sim.peer(p(1));
    sim.isolate(p(1));
    // The answered heartbeat left at the leader's current tick: LEASE - 1 more ticks still hold it.
    for (int i = 0; i < LEASE - 1; i++) {
      sim.tick(p(1), 1);
      sim.stabilize();
    }
    leader.node().leaseRead(1);
    leader.drain();
    assertEquals(1, leader.takeReadStates().size(), "served within the lease");
    sim.tick(p(1), 1);
    sim.stabilize();
    assertTrue(leader.node().isLeader(), "check-quorum must not have deposed it yet");
    leader.node().leaseRead(2);
    List<RaftMessage> out = leader.drain();
    assertEquals(List.of(), leader.takeReadStates(), "served after the lease expired");
    assertEquals(2, heartbeats(out).size(), "the read waits for a heartbeat round instead: " + out);
    sim.heal();
    sim.send(out);
    sim.stabilize();
    assertEquals(List.of(new ReadState(2, leader.node().status().commitIndex())), leader.takeReadStates(),
        "released once the round was answered");
    leader.node().leaseRead(3);
    leader.drain();
    assertEquals(1, leader.takeReadStates().size(), "the answered round renewed the lease");
  }

  /**
   * Why the drift bound matters: a leader whose clock stands still while the others' run keeps its
   * lease and serves a stale read after the others elected a new leader and committed a write.
   */
  @Test
  void aLeaderWhoseClockFallsBehindBeyondTheBoundServesAStaleRead(long seed) {
    RaftSim sim = settled(3, seed);
    SimPeer old = sim.peer(p(1));
    sim.isolate(p(1));
    SimPeer next = null;
    for (int i = 0; i < 20 * CFG.electionTicks() && next == null; i++) {
      for (int k = 2; k <= 3 && next == null; k++) {
        sim.tick(p(k), 1);
        sim.stabilize();
        if (sim.peer(p(k)).node().isLeader()) next = sim.peer(p(k));
      }
    }
    assertTrue(next != null, "p2 or p3 should have been elected");
    assertTrue(sim.propose(next.id(), "y") instanceof ProposeResult.Accepted);
    Clusters.settle(sim, CFG);
    long newCommit = next.node().status().commitIndex();
    assertTrue(old.node().isLeader(), "p1 never ticked, so it still believes it leads");
    old.node().leaseRead(1);
    old.drain();
    List<ReadState> served = old.takeReadStates();
    assertEquals(1, served.size(), "its lease, counted on its own stopped clock, still holds");
    assertTrue(served.get(0).index() < newCommit, "and the read misses the new leader's write: stale");
  }

  @Test
  void aMinorityStillAnsweringHoldsNoLease(long seed) {
    RaftSim sim = settled(5, seed);
    SimPeer leader = sim.peer(p(1));
    for (int k = 3; k <= 5; k++) sim.cut(p(1), p(k)); // p2 keeps answering every heartbeat: 2 of 5
    for (int i = 0; i < LEASE; i++) {
      sim.tick(p(1), 1);
      sim.stabilize();
    }
    assertTrue(leader.node().isLeader());
    leader.node().leaseRead(1);
    sim.enqueueFrom(p(1));
    sim.stabilize();
    for (int i = 0; i < 2 && leader.node().isLeader(); i++) {
      sim.tick(p(1), 1);
      sim.stabilize();
    }
    assertEquals(List.of(), leader.takeReadStates(), "served with only a minority in contact");
  }

  @Test
  void noLeaseReadOnceALeadershipTransferStartedEvenAfterItGaveUp(long seed) {
    RaftSim sim = settled(3, seed);
    SimPeer leader = sim.peer(p(1));
    sim.cut(p(1), p(2)); // the TimeoutNow never arrives: the transfer gives up after an election timeout
    assertTrue(leader.node().transferLeadership(Optional.of(p(2))) instanceof TransferResult.Started);
    leader.node().leaseRead(1);
    List<RaftMessage> out = leader.drain();
    assertEquals(List.of(), leader.takeReadStates(), "served by lease while handing leadership over");
    assertEquals(2, heartbeats(out).size(), "waits for a round instead: " + out);
    for (int i = 0; i < CFG.electionTicks() && leader.node().transferTarget().isPresent(); i++) {
      sim.tick(p(1), 1);
      sim.stabilize();
    }
    assertEquals(Optional.empty(), leader.node().transferTarget(), "the transfer should have given up");
    assertTrue(leader.node().isLeader());
    leader.takeReadStates(); // the round of read 1, answered by p3
    leader.node().leaseRead(2);
    leader.drain();
    assertEquals(List.of(), leader.takeReadStates(), "the lease came back in the term of a TimeoutNow");
  }

  @Test
  void aFollowerForwardsALeaseReadAsAReadIndexRead(long seed) {
    RaftSim sim = settled(3, seed);
    sim.peer(p(2)).node().leaseRead(7);
    sim.enqueueFrom(p(2));
    sim.stabilize();
    assertEquals(List.of(new ReadState(7, sim.peer(p(1)).node().status().commitIndex())), sim.peer(p(2)).takeReadStates());
  }

  @Test
  void aPeerRestartedIgnoresVotesForAnElectionTimeoutAsIfInLease(long seed) {
    MemoryLogStorage disk = new MemoryLogStorage();
    disk.setHardState(new raft.message.HardState(4, Optional.empty(), 0)); // it had a term before it crashed
    SimPeer p = SimPeer.start(p(2), Set.of(p(1), p(2), p(3)), CFG, disk, seed, RaftLogger.SILENT, null);
    p.step(new RequestVote(5, p(3), p(2), 0, 0));
    assertEquals(List.of(), p.drain(), "a restarted peer may have answered a lease-serving leader just before");
    for (int i = 0; i < CFG.electionTicks(); i++) p.tick();
    p.drain();
    p.step(new RequestVote(6, p(3), p(2), 0, 0));
    assertEquals(List.of(new RequestVoteResponse(6, p(2), p(3), true, 0, 0)), p.drain());
  }

  @Test
  void leaseReadsWithoutADriftBoundOrCheckQuorumOrRoomForATickAreRefusedAtStart() {
    RaftConfig.ReadLeaseRefused noBound = assertThrows(RaftConfig.ReadLeaseRefused.class,
        () -> RaftConfig.defaults().withReadLease(new ReadLease(true, Double.NaN)).validate());
    assertTrue(noBound.getMessage().contains("clock-drift bound"), noBound.getMessage());
    assertThrows(RaftConfig.ReadLeaseRefused.class, () -> CFG.withCheckQuorum(false).validate());
    assertThrows(RaftConfig.ReadLeaseRefused.class,
        () -> RaftConfig.defaults().withReadLease(ReadLease.withMaxClockDrift(-0.1)).validate());
    assertThrows(RaftConfig.ReadLeaseRefused.class,
        () -> CFG.withElectionTicks(2).withReadLease(ReadLease.withMaxClockDrift(0.5)).validate());
    assertThrows(RaftConfig.ReadLeaseRefused.class, () -> RaftNode.start(p(1), Set.of(p(1)),
        CFG.withCheckQuorum(false), new MemoryLogStorage(), new java.util.SplittableRandom(1), RaftLogger.SILENT));
  }

  @Test
  void aLeaseReadOnAPeerWithoutLeaseReadsIsAnError(long seed) {
    RaftSim sim = Clusters.elected(1, RaftConfig.defaults(), seed);
    assertThrows(IllegalStateException.class, () -> sim.peer(p(1)).node().leaseRead(1));
  }
}
