package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntriesResponse;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import testkit.SeedExtension;
import testkit.sim.RaftSim;
import wire.Bytes;

/** The core's main claims, each on a small deterministic network. */
@ExtendWith(SeedExtension.class)
class RaftCoreTest {
  /** The base protocol (§5): pre-vote and check-quorum have tests of their own (PreVoteTest, CheckQuorumTest). */
  private static final RaftConfig CFG = RaftConfig.defaults().withPreVote(false).withCheckQuorum(false);

  private static RaftSim electedCluster(int n, long seed) {
    RaftSim sim = new RaftSim(n, CFG, seed, RaftLogger.SILENT);
    sim.campaign(p(1));
    assertEquals(Optional.of(p(1)), sim.leader());
    return sim;
  }

  @Test
  void firstCampaignerWinsAndEveryoneFollows(long seed) {
    RaftSim sim = electedCluster(3, seed);
    for (int i = 1; i <= 3; i++) {
      assertEquals(1, sim.peer(p(i)).node().term());
      assertEquals(Optional.of(p(1)), sim.peer(p(i)).node().leader());
    }
  }

  @Test
  void committedEntriesAreAppliedEverywhereInOrder(long seed) {
    RaftSim sim = electedCluster(3, seed);
    for (String c : List.of("a", "b", "c")) assertInstanceOf(ProposeResult.Accepted.class, sim.propose(p(1), c));
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks()); // followers learn the commit index from heartbeats
    sim.stabilize();
    for (int i = 1; i <= 3; i++) assertEquals(List.of("a", "b", "c"), sim.appliedCommands(p(i)), "peer p" + i);
  }

  @Test
  void proposeOnFollowerNamesTheLeader(long seed) {
    RaftSim sim = electedCluster(3, seed);
    assertEquals(new ProposeResult.NotLeader(Optional.of(p(1))), sim.propose(p(2), "x"));
  }

  @Test
  void oversizedCommandIsRejected(long seed) {
    RaftSim sim = new RaftSim(1, CFG.withMaxCommandBytes(4), seed, RaftLogger.SILENT);
    sim.campaign(p(1));
    assertEquals(new ProposeResult.TooLarge(5, 4), sim.propose(p(1), "12345"));
  }

  @Test
  void singleVoterCommitsAlone(long seed) {
    RaftSim sim = new RaftSim(1, CFG, seed, RaftLogger.SILENT);
    sim.campaign(p(1));
    sim.propose(p(1), "solo");
    assertEquals(List.of("solo"), sim.appliedCommands(p(1)));
  }

  @Test
  void laggingFollowerCatchesUpAfterHeal(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.isolate(p(3));
    for (int i = 0; i < 50; i++) sim.propose(p(1), "v" + i);
    sim.stabilize();
    sim.heal();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    assertEquals(50, sim.appliedCommands(p(3)).size());
    assertEquals(sim.appliedCommands(p(1)), sim.appliedCommands(p(3)));
  }

  @Test
  void divergentEntriesOfADeposedLeaderAreOverwritten(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.propose(p(1), "common");
    sim.stabilize();
    sim.isolate(p(1));
    sim.propose(p(1), "lost1");
    sim.propose(p(1), "lost2");
    sim.stabilize();
    // Neither p2 nor p3 hears from p1 any more: both leases run out and one of them is elected.
    PeerId next = sim.tickUntilLeader(List.of(p(2), p(3)), 1, 20 * CFG.electionTicks());
    assertTrue(sim.peer(p(1)).node().isLeader(), "the deposed leader does not know yet");
    sim.propose(next, "kept");
    sim.stabilize();
    sim.heal();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    assertEquals(List.of("common", "kept"), sim.appliedCommands(p(1)));
    assertFalse(sim.peer(p(1)).node().isLeader());
  }

  @Test
  void followerBehindTheCompactedLogGetsTheSnapshot(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.isolate(p(3));
    for (int i = 0; i < 20; i++) sim.propose(p(1), "v" + i);
    sim.stabilize();
    long applied = sim.peer(p(1)).node().status().appliedIndex();
    sim.peer(p(1)).snapshot(applied, Bytes.utf8("state@" + applied));
    sim.heal();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    sim.propose(p(1), "after");
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    var p3 = sim.appliedByIndex(p(3));
    assertEquals("state@" + applied, p3.firstEntry().getValue().utf8());
    assertEquals("after", p3.lastEntry().getValue().utf8());
    assertEquals(applied + 1, p3.lastKey());
  }

  @Test
  void restartKeepsTermVoteAndLogAndReappliesCommitted(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.propose(p(1), "x");
    sim.propose(p(1), "y");
    sim.stabilize();
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    sim.crash(p(2));
    sim.restart(p(2));
    var status = sim.peer(p(2)).node().status();
    assertEquals(1, status.term());
    assertEquals(3, status.lastIndex(), "the no-op of term 1, x and y");
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    assertEquals(List.of("x", "y"), sim.appliedCommands(p(2)));
  }

  /** Figure 8: a leader never commits an entry of an earlier term by counting replicas. */
  @Test
  void leaderCommitsOldTermEntriesOnlyThroughAnEntryOfItsOwnTerm(long seed) {
    MemoryLogStorage storage = new MemoryLogStorage();
    storage.setHardState(new HardState(2, Optional.empty(), 0));
    storage.append(List.of(new LogEntry(1, 1, Bytes.utf8("a")), new LogEntry(2, 2, Bytes.utf8("b"))));
    Set<PeerId> voters = Set.of(p(1), p(2), p(3));
    RaftNode node = RaftNode.start(p(1), voters, CFG, storage, new SplittableRandom(seed), RaftLogger.SILENT);
    // Until it campaigns (at term 3), not longer: a second timeout would start term 4.
    for (int i = 0; i < 2 * CFG.electionTicks() && node.status().role() != RaftRole.CANDIDATE; i++) node.tick();
    drainInto(node, storage);
    node.step(new raft.message.RequestVoteResponse(3, p(2), p(1), true));
    assertTrue(node.isLeader());
    drainInto(node, storage);
    node.step(AppendEntriesResponse.accepted(3, p(2), p(1), 2));
    assertEquals(0, node.status().commitIndex(), "an entry of term 2 must not commit by replica count at term 3");
    node.propose(Bytes.utf8("c"));
    drainInto(node, storage);
    node.step(AppendEntriesResponse.accepted(3, p(2), p(1), 3));
    assertEquals(3, node.status().commitIndex());
  }

  /** A rejected vote request from a stale candidate with a higher term must not restart our election timer. */
  @Test
  void staleCandidateDoesNotHoldBackAnUpToDateFollower(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.propose(p(1), "x");
    sim.stabilize();
    sim.crash(p(1));
    // p2 holds "x" and restarts: it knows no leader, so no lease keeps it from hearing candidates
    // (a p2 still in p1's lease would ignore the request, and the timer question would not arise).
    // p3 stands for a peer made stale by a restart from an empty disk.
    sim.crash(p(2));
    sim.restart(p(2));
    sim.tick(p(2), CFG.electionTicks() - 1);
    long commit = sim.peer(p(2)).node().status().commitIndex();
    sim.peer(p(2)).step(new raft.message.RequestVote(7, p(3), p(2), 0, 0));
    List<RaftMessage> answer = sim.peer(p(2)).drain();
    assertEquals(List.of(new raft.message.RequestVoteResponse(7, p(2), p(3), false, commit, 1)), answer);
    // Any randomized timeout is below 2 * electionTicks, so p2 campaigns within the remaining ticks.
    for (int i = 0; i < CFG.electionTicks(); i++) sim.peer(p(2)).tick();
    assertEquals(RaftRole.CANDIDATE, sim.peer(p(2)).node().status().role());
  }

  /**
   * The lease (thesis §4.2.3) holds with check-quorum off too, and a leader's lease is hearing from
   * a quorum: one cut off from its group for two check-quorum periods takes higher-term votes again
   * (else, with check-quorum off, it would ignore the new leader's election forever).
   */
  @Test
  void aLeaderIgnoresHigherTermVotesOnlyWhileItHearsAQuorum(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.tickAll(CFG.heartbeatTicks());
    sim.stabilize();
    var status = sim.peer(p(1)).node().status();
    var vote = new raft.message.RequestVote(2, p(3), p(1), status.lastIndex(), 1);
    sim.peer(p(1)).step(vote);
    assertEquals(List.of(), sim.peer(p(1)).drain(), "in lease: no answer");
    assertTrue(sim.peer(p(1)).node().isLeader());
    assertEquals(1, sim.peer(p(1)).node().term());
    sim.isolate(p(1));
    sim.tick(p(1), 2 * CFG.electionTicks());
    sim.stabilize();
    assertTrue(sim.peer(p(1)).node().isLeader(), "check-quorum is off: it does not step down by itself");
    sim.peer(p(1)).step(vote);
    assertEquals(List.of(new raft.message.RequestVoteResponse(2, p(1), p(3), true, status.commitIndex(), 1)),
        sim.peer(p(1)).drain());
    assertEquals(RaftRole.FOLLOWER, sim.peer(p(1)).node().status().role());
  }

  @Test
  void leaderSendsAppendsBeforeItsOwnWriteButCountsItselfOnlyOnceWritten(long seed) {
    RaftSim sim = electedCluster(3, seed);
    sim.stabilize();
    RaftNode leader = sim.peer(p(1)).node();
    long commit = leader.status().commitIndex();
    var accepted = assertInstanceOf(ProposeResult.Accepted.class, leader.propose(Bytes.utf8("x")));
    Ready rd = leader.ready();
    assertTrue(rd.sendBeforePersist(), "a leader in a term already on disk sends while it writes");
    assertEquals(List.of(accepted.index()), rd.entries().stream().map(LogEntry::index).toList());
    // One follower writes and acknowledges before the leader's own write is done: that is one
    // copy on disk out of three, not a majority.
    RaftMessage toP2 = rd.messages().stream().filter(m -> m.to().equals(p(2))).findFirst().orElseThrow();
    sim.peer(p(2)).step(toP2);
    for (RaftMessage ack : sim.peer(p(2)).drain()) leader.step(ack);
    assertEquals(commit, leader.status().commitIndex(), "committed before the leader's own write");
    sim.peer(p(1)).storage().save(rd);
    leader.advance(rd);
    assertEquals(accepted.index(), leader.status().commitIndex(), "leader and p2 hold it on disk");
  }

  @Test
  void candidateSendsOnlyAfterItsVoteIsOnDisk(long seed) {
    RaftSim sim = new RaftSim(3, CFG, seed, RaftLogger.SILENT);
    RaftNode node = sim.peer(p(1)).node();
    while (node.status().role() != RaftRole.CANDIDATE) node.tick();
    Ready rd = node.ready();
    assertTrue(rd.hardState().isPresent());
    assertFalse(rd.sendBeforePersist(), "vote requests must wait for the term and vote to be durable");
  }

  @Test
  void invalidConfigurationIsRejectedAtStart(long seed) {
    var storage = new MemoryLogStorage();
    var random = new SplittableRandom(seed);
    assertThrows(IllegalArgumentException.class, () -> RaftNode.start(p(1), Set.of(p(1)),
        CFG.withElectionTicks(1).withHeartbeatTicks(1), storage, random, RaftLogger.SILENT));
    assertThrows(IllegalArgumentException.class,
        () -> RaftNode.start(p(4), Set.of(p(1), p(2)), CFG, storage, random, RaftLogger.SILENT));
  }

  private static List<RaftMessage> drainInto(RaftNode node, MemoryLogStorage storage) {
    var out = new java.util.ArrayList<RaftMessage>();
    while (node.hasReady()) {
      Ready rd = node.ready();
      storage.save(rd);
      out.addAll(rd.messages());
      node.advance(rd);
    }
    return out;
  }
}
