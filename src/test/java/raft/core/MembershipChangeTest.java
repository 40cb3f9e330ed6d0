package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntriesResponse;
import raft.message.HeartbeatResponse;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.MembershipChange.AddLearner;
import raft.message.MembershipChange.AddVoter;
import raft.message.MembershipChange.PromoteLearner;
import raft.message.MembershipChange.Remove;
import raft.message.PreVote;
import raft.message.RequestVote;
import testkit.SeedExtension;
import testkit.sim.RaftSim;
import wire.Bytes;

/** Membership changes by the simple protocol (one voter at a time), their rules and where they take effect. */
@ExtendWith(SeedExtension.class)
class MembershipChangeTest {
  private static final RaftConfig CFG = RaftConfig.defaults().withLearnerCatchUpEntries(2);

  private static Membership voters(int... ids) {
    return Membership.ofVoters(java.util.Arrays.stream(ids).mapToObj(i -> p(i)).toList());
  }

  private static ProposeResult change(RaftSim sim, PeerId leader, MembershipChange... changes) {
    ProposeResult r = sim.peer(leader).node().proposeMembership(List.of(changes));
    sim.enqueueFrom(leader);
    return r;
  }

  private static void assertRefused(MembershipRefusal reason, Optional<PeerId> peer, ProposeResult r) {
    assertEquals(new ProposeResult.MembershipRefused(reason, peer), r);
  }

  @Test
  void aLearnerGetsTheLogButNeverVotesThenIsPromotedOnceCaughtUp(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    for (int i = 0; i < 5; i++) sim.propose(p(1), "v" + i);
    sim.addPeer(p(4)); // started with the bootstrap membership, which does not hold it: it waits
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new AddLearner(p(4))));
    Clusters.settle(sim, CFG);
    Membership withLearner = new Membership(List.of(p(1), p(2), p(3)), List.of(p(4)), List.of());
    for (int i = 1; i <= 4; i++) assertEquals(withLearner, sim.peer(p(i)).node().membership(), "p" + i);
    assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), sim.appliedCommands(p(4)));
    sim.crash(p(1));
    for (int i = 0; i < 10 * CFG.electionTicks(); i++) {
      sim.tickAll(1);
      sim.stabilize();
      assertFalse(sim.peer(p(4)).node().status().role() != RaftRole.FOLLOWER, "a learner never campaigns");
    }
    PeerId leader = sim.leader().orElseThrow();
    sim.restart(p(1));
    Clusters.settle(sim, CFG);
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, leader, new PromoteLearner(p(4))));
    Clusters.settle(sim, CFG);
    assertEquals(voters(1, 2, 3, 4), sim.peer(p(4)).node().membership());
  }

  @Test
  void theRulesRefuseWithAReasonAndChangeNothing(long seed) {
    Membership m = new Membership(List.of(p(1), p(2), p(3)), List.of(p(4)), List.of());
    RaftSim sim = Clusters.elected(m, CFG, seed);
    RaftNode leader = sim.peer(p(1)).node();
    long last = leader.status().lastIndex();
    assertRefused(MembershipRefusal.ALREADY_MEMBER, Optional.of(p(2)), change(sim, p(1), new AddVoter(p(2))));
    assertRefused(MembershipRefusal.ALREADY_MEMBER, Optional.of(p(4)), change(sim, p(1), new AddLearner(p(4))));
    assertRefused(MembershipRefusal.NOT_A_MEMBER, Optional.of(p(9)), change(sim, p(1), new Remove(p(9))));
    assertRefused(MembershipRefusal.NOT_A_LEARNER, Optional.of(p(9)), change(sim, p(1), new PromoteLearner(p(9))));
    assertRefused(MembershipRefusal.NOT_A_LEARNER, Optional.of(p(2)), change(sim, p(1), new PromoteLearner(p(2))));
    assertRefused(MembershipRefusal.NO_CHANGE, Optional.empty(), change(sim, p(1)));
    sim.isolate(p(4));
    for (int i = 0; i < 5; i++) sim.propose(p(1), "v" + i);
    Clusters.settle(sim, CFG);
    last = leader.status().lastIndex();
    assertRefused(MembershipRefusal.LEARNER_BEHIND, Optional.of(p(4)), change(sim, p(1), new PromoteLearner(p(4))));
    assertEquals(new ProposeResult.NotLeader(Optional.of(p(1))),
        sim.peer(p(2)).node().proposeMembership(List.of(new Remove(p(3)))));
    assertEquals(last, leader.status().lastIndex(), "no refused change reached the log");
    assertEquals(m, leader.membership());
  }

  @Test
  void oneChangeAtATime(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.isolate(p(1)); // the first change cannot commit
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new AddLearner(p(4))));
    assertRefused(MembershipRefusal.CHANGE_PENDING, Optional.empty(), change(sim, p(1), new AddLearner(p(5))));
    sim.heal();
    Clusters.settle(sim, CFG);
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new AddLearner(p(5))));
  }

  @Test
  void noChangeBeforeAnEntryOfTheLeadersTermCommitted(long seed) {
    RaftSim sim = new RaftSim(3, CFG, seed, RaftLogger.SILENT);
    sim.drop(m -> m instanceof AppendEntriesResponse || m instanceof HeartbeatResponse);
    sim.campaign(p(1));
    assertTrue(sim.peer(p(1)).node().isLeader());
    assertRefused(MembershipRefusal.NO_COMMIT_IN_TERM, Optional.empty(), change(sim, p(1), new AddLearner(p(4))));
    sim.heal();
    Clusters.settle(sim, CFG);
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new AddLearner(p(4))));
  }

  @Test
  void theLastVoterCannotBeRemoved(long seed) {
    RaftSim sim = Clusters.elected(1, CFG, seed);
    assertRefused(MembershipRefusal.LAST_VOTER, Optional.empty(), change(sim, p(1), new Remove(p(1))));
  }

  @Test
  void aChangeTakesEffectWhenAppliedNotWhenAppended(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.drop(m -> m instanceof AppendEntriesResponse);
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new Remove(p(3))));
    sim.stabilize();
    for (int i = 1; i <= 3; i++)
      assertEquals(voters(1, 2, 3), sim.peer(p(i)).node().membership(), "p" + i + " appended it; not committed yet");
    sim.heal();
    Clusters.settle(sim, CFG);
    assertEquals(voters(1, 2), sim.peer(p(1)).node().membership());
    assertEquals(voters(1, 2), sim.peer(p(2)).node().membership());
    // Learners and removed peers count for nothing: with p3 gone, p1 and p2 must both hold an entry.
    sim.isolate(p(2));
    long commit = sim.peer(p(1)).node().status().commitIndex();
    sim.propose(p(1), "needs p2");
    Clusters.settle(sim, CFG);
    assertEquals(commit, sim.peer(p(1)).node().status().commitIndex());
  }

  /**
   * Thesis §4.2.3: a removed peer that keeps running and never learned of its removal times out
   * again and again, and its vote requests carry ever higher terms. The members ignore them while
   * they hear their leader (the leader: while it hears a quorum), with or without pre-vote and
   * check-quorum; with both off, it used to depose every leader (simulator seed 2391779203078965353).
   */
  @Test
  void aRemovedPeerThatKeepsRunningNeverDeposesTheLeader(long seed) {
    for (boolean preVote : List.of(false, true)) {
      for (boolean checkQuorum : List.of(false, true)) {
        String flags = "preVote=" + preVote + ", checkQuorum=" + checkQuorum;
        RaftConfig cfg = CFG.withPreVote(preVote).withCheckQuorum(checkQuorum);
        RaftSim sim = Clusters.elected(4, cfg, seed);
        long term = sim.peer(p(1)).node().term();
        sim.drop(m -> m.to().equals(p(4))); // p4 never hears of its removal
        assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new Remove(p(4))), flags);
        Clusters.settle(sim, cfg);
        for (int i = 1; i <= 3; i++) assertEquals(voters(1, 2, 3), sim.peer(p(i)).node().membership(), flags + ", p" + i);
        assertEquals(voters(1, 2, 3, 4), sim.peer(p(4)).node().membership(), flags);
        sim.heal(); // p4 reaches everyone again, and hears whatever answers it gets
        int[] campaigns = {0}; // p4's (pre-)vote requests to p1, one per campaign; none is dropped
        sim.drop(m -> {
          if (m.from().equals(p(4)) && m.to().equals(p(1)) && (m instanceof RequestVote || m instanceof PreVote))
            campaigns[0]++;
          return false;
        });
        List<String> proposed = new java.util.ArrayList<>();
        for (int r = 0; r < 30 * cfg.electionTicks(); r++) {
          if (r % cfg.heartbeatTicks() == 0) {
            assertInstanceOf(ProposeResult.Accepted.class, sim.propose(p(1), "v" + r), flags);
            proposed.add("v" + r);
          }
          sim.round();
          assertTrue(sim.peer(p(1)).node().isLeader(), flags + ": p1 deposed at round " + r);
          assertEquals(term, sim.peer(p(1)).node().term(), flags);
        }
        assertTrue(campaigns[0] >= 10, flags + ": p4 campaigned only " + campaigns[0] + " times");
        if (!preVote) assertTrue(sim.peer(p(4)).node().term() > term + 10, flags + ": p4's term did not climb");
        Clusters.settle(sim, cfg);
        for (int i = 1; i <= 3; i++) assertEquals(proposed, sim.appliedCommands(p(i)), flags + ", p" + i);
      }
    }
  }

  @Test
  void aRemovedLeaderHandsOverAndStepsDown(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    long term = sim.peer(p(1)).node().term();
    assertInstanceOf(ProposeResult.Accepted.class, change(sim, p(1), new Remove(p(1))));
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks()); // the commit reaches the followers; no election timeout passes
    sim.stabilize();
    assertFalse(sim.peer(p(1)).node().isLeader());
    Optional<PeerId> next = sim.leader();
    assertTrue(next.isPresent() && !next.get().equals(p(1)), "leadership was handed over, not lost: " + next);
    assertEquals(term + 1, sim.peer(next.get()).node().term());
    sim.propose(next.get(), "after");
    Clusters.settle(sim, CFG);
    assertEquals(voters(2, 3), sim.peer(next.get()).node().membership());
    assertEquals(List.of("after"), sim.appliedCommands(p(2)).stream().filter(c -> c.equals("after")).toList());
  }

  @Test
  void theMembershipTravelsInTheSnapshotAndIsRebuiltOnRestart(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.addPeer(p(4));
    change(sim, p(1), new AddLearner(p(4)));
    Clusters.settle(sim, CFG);
    sim.propose(p(1), "x");
    Clusters.settle(sim, CFG);
    Membership expected = new Membership(List.of(p(1), p(2), p(3)), List.of(p(4)), List.of());
    // p2 restarts from its log alone: the bootstrap membership, then the change when re-applied.
    sim.crash(p(2));
    sim.restart(p(2));
    sim.enqueueFrom(p(2));
    assertEquals(expected, sim.peer(p(2)).node().membership());
    // p3 snapshots past the change, then restarts: the snapshot carries the membership.
    long applied = sim.peer(p(3)).node().status().appliedIndex();
    sim.peer(p(3)).snapshot(applied, Bytes.utf8("state"));
    assertEquals(expected, sim.peer(p(3)).storage().snapshotMeta().membership());
    sim.crash(p(3));
    sim.restart(p(3));
    assertEquals(expected, sim.peer(p(3)).node().membership());
  }
}
