package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.RaftConfig;
import raft.message.Membership;
import testkit.SeedExtension;
import testkit.sim.RaftSim;

/** Leadership transfer (thesis §3.10): catch the target up, send TimeoutNow, refuse proposals meanwhile. */
@ExtendWith(SeedExtension.class)
class LeadershipTransferTest {
  private static final RaftConfig CFG = RaftConfig.defaults();

  @Test
  void transferToANamedPeerMakesItLeaderAtOnce(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(1)).node().term();
    assertEquals(new TransferResult.Started(p(2)), sim.peer(p(1)).node().transferLeadership(Optional.of(p(2))));
    sim.enqueueFrom(p(1));
    sim.stabilize();
    assertEquals(Optional.of(p(2)), sim.leader(), "no election timeout needed: the leases are bypassed");
    assertEquals(term + 1, sim.peer(p(2)).node().term());
  }

  @Test
  void aLaggingTargetIsCaughtUpFirstAndProposalsAreRefusedMeanwhile(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.cut(p(1), p(3));
    for (int i = 0; i < 5; i++) sim.propose(p(1), "v" + i);
    Clusters.settle(sim, CFG);
    RaftNode leader = sim.peer(p(1)).node();
    assertEquals(new TransferResult.Started(p(3)), leader.transferLeadership(Optional.of(p(3))));
    assertEquals(new ProposeResult.TransferInProgress(p(3)), leader.propose(wire.Bytes.utf8("refused")));
    sim.heal();
    sim.enqueueFrom(p(1));
    Clusters.settle(sim, CFG);
    assertEquals(Optional.of(p(3)), sim.leader());
    sim.propose(p(3), "after");
    Clusters.settle(sim, CFG);
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "after"), sim.appliedCommands(p(1)));
  }

  @Test
  void aTransferThatCannotCompleteGivesUpAfterAnElectionTimeout(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.isolate(p(3));
    sim.propose(p(1), "x");
    sim.stabilize();
    RaftNode leader = sim.peer(p(1)).node();
    leader.transferLeadership(Optional.of(p(3)));
    sim.enqueueFrom(p(1));
    for (int i = 0; i < CFG.electionTicks(); i++) {
      sim.tick(p(1), 1);
      sim.tick(p(2), 1);
      sim.stabilize();
    }
    assertTrue(leader.isLeader());
    assertEquals(Optional.empty(), leader.transferTarget());
    assertInstanceOf(ProposeResult.Accepted.class, leader.propose(wire.Bytes.utf8("y")));
  }

  @Test
  void withoutATargetTheMostUpToDateVoterIsChosen(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.cut(p(1), p(2));
    sim.propose(p(1), "x");
    sim.stabilize();
    assertEquals(new TransferResult.Started(p(3)), sim.peer(p(1)).node().transferLeadership(Optional.empty()));
  }

  @Test
  void transfersToNonMembersLearnersOrItselfAreRefused(long seed) {
    Membership m = new Membership(List.of(p(1), p(2), p(3)), List.of(p(4)), List.of());
    RaftSim sim = Clusters.elected(m, CFG, seed);
    RaftNode leader = sim.peer(p(1)).node();
    assertEquals(new TransferResult.Refused(TransferResult.Reason.NOT_A_MEMBER, Optional.of(p(9))),
        leader.transferLeadership(Optional.of(p(9))));
    assertEquals(new TransferResult.Refused(TransferResult.Reason.LEARNER, Optional.of(p(4))),
        leader.transferLeadership(Optional.of(p(4))));
    assertEquals(new TransferResult.Refused(TransferResult.Reason.ALREADY_LEADER, Optional.of(p(1))),
        leader.transferLeadership(Optional.of(p(1))));
    assertEquals(Optional.empty(), leader.transferTarget(), "nothing changed");
    assertEquals(new TransferResult.NotLeader(Optional.of(p(1))),
        sim.peer(p(2)).node().transferLeadership(Optional.of(p(3))));
    RaftSim solo = Clusters.elected(1, CFG, seed);
    assertEquals(new TransferResult.Refused(TransferResult.Reason.NO_OTHER_VOTER, Optional.empty()),
        solo.peer(p(1)).node().transferLeadership(Optional.empty()));
  }
}
