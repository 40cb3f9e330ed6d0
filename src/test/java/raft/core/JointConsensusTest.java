package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntriesResponse;
import raft.message.EntryKind;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.MembershipChange.AddVoter;
import testkit.SeedExtension;
import testkit.sim.RaftSim;

/** Several changes at once: joint consensus (§4.3) in etcd's shape (enter joint, leave automatically). */
@ExtendWith(SeedExtension.class)
class JointConsensusTest {
  private static final RaftConfig CFG = RaftConfig.defaults();
  private static final Membership JOINT = new Membership(List.of(p(1), p(2), p(3), p(4), p(5)), List.of(),
      List.of(p(1), p(2), p(3)));

  @Test
  void jointQuorumsNeedAMajorityOfBothHalves() {
    Map<PeerId, Long> match = Map.of(p(1), 9L, p(2), 3L, p(3), 3L, p(4), 9L, p(5), 9L);
    assertEquals(3, Quorum.committedIndex(JOINT, match::get), "9 is on 3 of 5 new voters but 1 of 3 old ones");
    assertEquals(9, Quorum.committedIndex(JOINT.leaveJoint(), match::get));
    assertEquals(Quorum.VoteResult.PENDING, Quorum.voteResult(JOINT, Map.of(p(1), true, p(4), true, p(5), true)));
    assertEquals(Quorum.VoteResult.WON,
        Quorum.voteResult(JOINT, Map.of(p(1), true, p(2), true, p(4), true)));
    assertEquals(Quorum.VoteResult.LOST, Quorum.voteResult(JOINT, Map.of(p(2), false, p(3), false)),
        "a lost outgoing half loses the election whatever the incoming one says");
    assertFalse(Quorum.isQuorum(JOINT, Set.of(p(1), p(4), p(5))));
    assertTrue(Quorum.isQuorum(JOINT, Set.of(p(1), p(2), p(4))));
  }

  @Test
  void twoVotersAddedAtOnceGoThroughAJointMembershipThatTheLeaderLeavesByItself(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.addPeer(p(4));
    sim.addPeer(p(5));
    ProposeResult r = sim.peer(p(1)).node().proposeMembership(List.of(new AddVoter(p(4)), new AddVoter(p(5))));
    sim.enqueueFrom(p(1));
    long joint = assertInstanceOf(ProposeResult.Accepted.class, r).index();
    Clusters.settle(sim, CFG);
    List<LogEntry> log = sim.peer(p(1)).storage().entries(joint, sim.peer(p(1)).storage().lastIndex() + 1, Long.MAX_VALUE);
    List<Membership> changes = log.stream().filter(e -> e.kind() == EntryKind.CONF_CHANGE)
        .map(e -> Membership.decode(e.command())).toList();
    assertEquals(List.of(JOINT, JOINT.leaveJoint()), changes);
    for (int i = 1; i <= 5; i++) assertEquals(JOINT.leaveJoint(), sim.peer(p(i)).node().membership(), "p" + i);
  }

  @Test
  void whileJointNoOtherChangeAndCommitsNeedBothHalves(long seed) {
    RaftSim sim = Clusters.elected(3, CFG, seed);
    sim.addPeer(p(4));
    sim.addPeer(p(5));
    RaftNode leader = sim.peer(p(1)).node();
    long joint = leader.status().lastIndex() + 1;
    sim.drop(m -> m instanceof AppendEntriesResponse a && a.matchIndex() > joint); // the leave entry never commits
    leader.proposeMembership(List.of(new AddVoter(p(4)), new AddVoter(p(5))));
    sim.enqueueFrom(p(1));
    Clusters.settle(sim, CFG);
    assertEquals(JOINT, leader.membership());
    assertEquals(new ProposeResult.MembershipRefused(MembershipRefusal.JOINT_IN_PROGRESS, Optional.empty()),
        leader.proposeMembership(List.of(new MembershipChange.Remove(p(2)))), "entering joint twice is refused");
    sim.heal();
    sim.cut(p(1), p(2));
    sim.cut(p(1), p(3));
    long commit = leader.status().commitIndex();
    sim.propose(p(1), "x");
    Clusters.settle(sim, CFG);
    assertEquals(commit, leader.status().commitIndex(), "p1, p4, p5 are 3 of 5 new voters, but 1 of 3 old ones");
    sim.heal();
    Clusters.settle(sim, CFG);
    assertTrue(leader.status().commitIndex() > commit);
    assertEquals(JOINT.leaveJoint(), leader.membership());
    assertEquals(List.of("x"), sim.appliedCommands(p(5)));
  }
}
