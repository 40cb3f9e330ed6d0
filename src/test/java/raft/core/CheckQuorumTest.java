package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.RaftConfig;
import raft.message.RequestVote;
import testkit.SeedExtension;
import testkit.sim.RaftSim;

/** Check-quorum and the leader lease (etcd's CheckQuorum): a cut-off leader steps down; followers in lease refuse votes. */
@ExtendWith(SeedExtension.class)
class CheckQuorumTest {
  private static final RaftConfig CFG = RaftConfig.defaults().withPreVote(false);

  @Test
  void aLeaderThatHearsFromNoQuorumStepsDownWithinAnElectionTimeoutAndSaysSo(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.isolate(p(1));
    RaftNode leader = sim.peer(p(1)).node();
    Optional<SoftState> change = Optional.empty();
    for (int i = 0; i < 2 * CFG.electionTicks() && leader.isLeader(); i++) {
      leader.tick();
      while (leader.hasReady()) {
        Ready rd = leader.ready();
        if (rd.softState().isPresent()) change = rd.softState();
        sim.peer(p(1)).storage().save(rd);
        leader.advance(rd);
      }
    }
    assertFalse(leader.isLeader(), "a leader cut off from every follower must step down");
    assertEquals(Optional.of(new SoftState(RaftRole.FOLLOWER, Optional.empty())), change,
        "the Ready tells the caller, so it can answer its waiting callers NotLeader");
    assertEquals(new ProposeResult.NotLeader(Optional.empty()), leader.propose(wire.Bytes.utf8("x")));
  }

  @Test
  void aLeaderThatHearsFromAQuorumStaysLeader(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.crash(p(3)); // one follower down: p1 and p2 are still a quorum
    for (int i = 0; i < 10 * CFG.electionTicks(); i++) {
      sim.tickAll(1);
      sim.stabilize();
    }
    assertTrue(sim.peer(p(1)).node().isLeader());
  }

  @Test
  void aFollowerInLeaseIgnoresAVoteRequestOfAHigherTerm(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(2)).node().term();
    sim.peer(p(2)).step(new RequestVote(term + 5, p(3), p(2), 100, term));
    assertEquals(List.of(), sim.peer(p(2)).drain(), "no answer: p2 heard from its leader within the lease");
    assertEquals(term, sim.peer(p(2)).node().term(), "and its term is unchanged, so the leader is not deposed");
  }

  @Test
  void aFollowerPastItsLeaseVotes(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.crash(p(1));
    long term = sim.peer(p(2)).node().term();
    RaftNode p2 = sim.peer(p(2)).node();
    for (int i = 0; i < CFG.electionTicks() && p2.status().role() == RaftRole.FOLLOWER; i++) p2.tick();
    sim.peer(p(2)).drain();
    sim.peer(p(3)).step(new RequestVote(term + 5, p(2), p(3), 100, term));
    // p3 ticks no more than p2 here, so let it pass its lease first.
    sim.peer(p(3)).drain();
    for (int i = 0; i < CFG.electionTicks(); i++) sim.peer(p(3)).tick();
    sim.peer(p(3)).drain();
    sim.peer(p(3)).step(new RequestVote(term + 6, p(2), p(3), 100, term));
    assertTrue(sim.peer(p(3)).drain().stream().anyMatch(m -> m instanceof raft.message.RequestVoteResponse r
        && r.granted()), "past the lease the vote is granted");
  }
}
