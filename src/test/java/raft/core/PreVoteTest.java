package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.RaftConfig;
import raft.message.PreVote;
import raft.message.RaftMessage;
import testkit.SeedExtension;
import testkit.sim.RaftSim;

/** Pre-vote (thesis §9.6): a peer asks whether it could win before it raises its term. */
@ExtendWith(SeedExtension.class)
class PreVoteTest {
  /** Pre-vote without check-quorum (the followers' lease of thesis §4.2.3 still holds). */
  private static final RaftConfig CFG = RaftConfig.defaults().withCheckQuorum(false);

  @Test
  void aPartitionedPeerThatComesBackDoesNotDisruptTheStableLeader(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.isolate(p(3));
    sim.tick(p(3), 20 * CFG.electionTicks()); // many election timeouts alone
    sim.stabilize();
    assertEquals(term, sim.peer(p(3)).node().term(), "a pre-candidate never raises its term");
    sim.heal();
    sim.propose(p(1), "x");
    Clusters.settle(sim, CFG);
    for (int i = 1; i <= 3; i++) assertEquals(term, sim.peer(p(i)).node().term(), "p" + i);
    assertEquals(Optional.of(p(1)), sim.leader());
    assertEquals(List.of("x"), sim.appliedCommands(p(3)));
  }

  @Test
  void aPreCandidateKeepsItsTermAndVoteAndAsksForTheNextTerm(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.isolate(p(3));
    RaftNode p3 = sim.peer(p(3)).node();
    List<RaftMessage> sent = List.of();
    for (int i = 0; i < 2 * CFG.electionTicks() && p3.status().role() != RaftRole.PRE_CANDIDATE; i++) {
      p3.tick();
      sent = sim.peer(p(3)).drain();
    }
    assertEquals(RaftRole.PRE_CANDIDATE, p3.status().role());
    assertEquals(term, p3.term());
    assertEquals(2, sent.size());
    for (RaftMessage m : sent) {
      PreVote pv = assertInstance(m);
      assertEquals(term + 1, pv.term());
    }
    assertTrue(sim.peer(p(3)).storage().hardState().term() == term, "nothing about the pre-vote is written");
  }

  @Test
  void withAPreVoteMajorityThePreCandidateRunsARealElectionAtTheNextTerm(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(1)).node().term();
    sim.crash(p(1));
    // p3 restarts and knows no leader: out of p1's lease, it answers p2 (still in p1's lease, it
    // would ignore p2's pre-vote, since only p2 is ticked).
    sim.crash(p(3));
    sim.restart(p(3));
    sim.campaign(p(2));
    assertEquals(Optional.of(p(2)), sim.leader());
    assertEquals(term + 1, sim.peer(p(2)).node().term(), "the pre-vote costs no term");
  }

  @Test
  void aPeerWithAStaleLogGetsNoPreVotes(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.isolate(p(3));
    sim.propose(p(1), "x");
    sim.stabilize();
    sim.crash(p(1));
    sim.heal();
    // p2 restarts, knowing no leader: out of lease, it answers p3's pre-vote on the logs alone.
    sim.crash(p(2));
    sim.restart(p(2));
    sim.tick(p(3), 2 * CFG.electionTicks());
    sim.stabilize();
    assertTrue(sim.peer(p(3)).node().status().role() != RaftRole.LEADER, "p3 lacks x and must not lead");
    long term = sim.peer(p(2)).node().term();
    assertEquals(term, sim.peer(p(3)).node().term(), "p3's failed pre-vote left every term alone");
  }

  private static PreVote assertInstance(RaftMessage m) {
    return org.junit.jupiter.api.Assertions.assertInstanceOf(PreVote.class, m);
  }
}
