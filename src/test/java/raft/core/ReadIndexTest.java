package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.RaftConfig;
import raft.message.AppendEntriesResponse;
import raft.message.Heartbeat;
import raft.message.RaftMessage;
import raft.message.ReadIndexRequest;
import testkit.SeedExtension;
import testkit.sim.RaftSim;
import testkit.sim.SimPeer;

/** Linearizable reads by ReadIndex (thesis §6.4, etcd's ReadOnlySafe): batched, confirmed by a quorum, never stale. */
@ExtendWith(SeedExtension.class)
class ReadIndexTest {
  private static final RaftConfig CFG = RaftConfig.defaults();

  private static RaftSim withOneWrite(int voters, long seed) {
    RaftSim sim = Clusters.elected(voters, CFG, seed);
    assertTrue(sim.propose(p(1), "x") instanceof ProposeResult.Accepted);
    Clusters.settle(sim, CFG);
    return sim;
  }

  /** Ticks p2 and p3 (past their leases) until one of them leads; returns it. */
  private static SimPeer electAnother(RaftSim sim) {
    for (int i = 0; i < 20 * CFG.electionTicks(); i++) {
      for (int k = 2; k <= 3; k++) {
        sim.tick(p(k), 1);
        sim.stabilize();
        if (sim.peer(p(k)).node().isLeader()) return sim.peer(p(k));
      }
    }
    throw new AssertionError("neither p2 nor p3 was elected");
  }

  @Test
  void readsWaitingTogetherRideOneHeartbeatRoundAndAreReleasedInOrder(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    SimPeer leader = sim.peer(p(1));
    long commit = leader.node().status().commitIndex();
    for (long id = 1; id <= 5; id++) leader.node().readIndex(id);
    List<RaftMessage> out = leader.drain();
    List<Heartbeat> beats = out.stream().filter(m -> m instanceof Heartbeat).map(m -> (Heartbeat) m).toList();
    assertEquals(2, beats.size(), "one heartbeat per follower for all five reads: " + out);
    assertTrue(beats.get(0).readRound() > 0 && beats.get(0).readRound() == beats.get(1).readRound(), beats.toString());
    assertEquals(List.of(), leader.takeReadStates(), "nothing released before a quorum answered");
    sim.send(out);
    sim.stabilize();
    assertEquals(List.of(new ReadState(1, commit), new ReadState(2, commit), new ReadState(3, commit),
        new ReadState(4, commit), new ReadState(5, commit)), leader.takeReadStates());
  }

  @Test
  void oneFollowerAnsweringIsAQuorumOfThree(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    sim.cut(p(1), p(3));
    sim.peer(p(1)).node().readIndex(9);
    sim.enqueueFrom(p(1));
    sim.stabilize();
    assertEquals(List.of(new ReadState(9, sim.peer(p(1)).node().status().commitIndex())),
        sim.peer(p(1)).takeReadStates());
  }

  @Test
  void aLeaderCutOffFromItsQuorumNeverReleasesAndDropsTheReadWhenDeposed(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    sim.isolate(p(1));
    SimPeer old = sim.peer(p(1));
    old.node().readIndex(1);
    sim.enqueueFrom(p(1));
    sim.stabilize();
    SimPeer next = electAnother(sim);
    assertTrue(next.node().term() > old.node().term());
    assertTrue(sim.propose(next.id(), "y") instanceof ProposeResult.Accepted);
    sim.stabilize();
    // The old leader keeps heartbeating its read round into the partition; nobody answers it.
    for (int i = 0; i < CFG.electionTicks() - 1 && old.node().isLeader(); i++) {
      sim.tick(p(1), 1);
      sim.stabilize();
      assertEquals(List.of(), old.takeReadStates(), "released while cut off");
    }
    sim.heal();
    for (int i = 0; i < 2 * CFG.electionTicks(); i++) {
      sim.tickAll(1);
      sim.stabilize();
    }
    assertEquals(List.of(), old.takeReadStates(), "a deposed leader released a read");
    assertEquals(List.of(1L), old.takeDroppedReads(), "its caller is told to retry");
  }

  @Test
  void aFollowerForwardsToTheLeaderAndServesAtTheLeadersCommitIndex(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    SimPeer follower = sim.peer(p(2));
    follower.node().readIndex(4);
    List<RaftMessage> out = follower.drain();
    assertEquals(List.of(new ReadIndexRequest(follower.node().term(), p(2), p(1), 4)), out);
    sim.send(out);
    sim.stabilize();
    assertEquals(List.of(new ReadState(4, sim.peer(p(1)).node().status().commitIndex())), follower.takeReadStates());
  }

  @Test
  void aFollowerWhoseLeaderIsSilentDropsTheReadAfterTwoElectionTimeouts(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    sim.cut(p(2), p(1));
    SimPeer follower = sim.peer(p(2));
    follower.node().readIndex(4);
    sim.enqueueFrom(p(2));
    sim.stabilize();
    for (int i = 0; i < 2 * CFG.electionTicks() && follower.takeDroppedReads().isEmpty(); i++) sim.tick(p(2), 1);
    // Either dropped by the timeout or by the election the silence started; never released.
    assertEquals(List.of(), follower.takeReadStates());
  }

  @Test
  void aPeerThatKnowsNoLeaderDropsAtOnce(long seed) {
    RaftSim sim = new RaftSim(3, CFG, seed, RaftLogger.SILENT);
    sim.peer(p(2)).node().readIndex(1);
    assertEquals(List.of(), sim.peer(p(2)).drain());
    assertEquals(List.of(1L), sim.peer(p(2)).takeDroppedReads());
  }

  @Test
  void aNewLeaderHoldsReadsUntilAnEntryOfItsTermCommits(long seed) {
    RaftSim sim = withOneWrite(3, seed);
    // p2 or p3 wins an election but hears no append answers: its no-op does not commit.
    sim.drop(m -> m instanceof AppendEntriesResponse);
    sim.crash(p(1));
    SimPeer leader = electAnother(sim);
    long noop = leader.node().status().lastIndex();
    assertTrue(leader.node().status().commitIndex() < noop, "the no-op must not have committed yet");
    leader.node().readIndex(3);
    sim.enqueueFrom(leader.id());
    for (int i = 0; i < 3 * CFG.heartbeatTicks(); i++) {
      sim.tick(leader.id(), 1);
      sim.stabilize();
    }
    assertEquals(List.of(), leader.takeReadStates(), "released before this term committed anything");
    sim.heal();
    for (int i = 0; i < 3 * CFG.heartbeatTicks(); i++) {
      sim.tick(leader.id(), 1);
      sim.stabilize();
    }
    List<ReadState> released = leader.takeReadStates();
    assertEquals(1, released.size(), "released once the no-op committed");
    assertEquals(3, released.get(0).id());
    assertTrue(released.get(0).index() >= noop, "read index " + released.get(0).index() + " below the no-op " + noop);
  }

  @Test
  void aSingleVoterReleasesAtOnce(long seed) {
    RaftSim sim = Clusters.elected(1, CFG, seed);
    SimPeer leader = sim.peer(p(1));
    leader.node().readIndex(1);
    assertEquals(List.of(), leader.drain(), "no round to send");
    assertEquals(List.of(new ReadState(1, leader.node().status().commitIndex())), leader.takeReadStates());
  }
}
