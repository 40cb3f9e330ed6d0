package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static testkit.sim.RaftSim.p;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntriesResponse;
import raft.message.EntryKind;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.RequestVoteResponse;
import testkit.SeedExtension;
import wire.Bytes;

/** A new leader appends an empty entry of its term, which commits the entries of earlier terms. */
@ExtendWith(SeedExtension.class)
class NoopOnElectionTest {
  private static final RaftConfig CFG = RaftConfig.defaults().withPreVote(false);

  private static RaftNode leaderOverOldLog(RaftConfig cfg, MemoryLogStorage storage, long seed) {
    storage.setHardState(new HardState(2, Optional.empty(), 0));
    storage.append(List.of(new LogEntry(1, 1, Bytes.utf8("a")), new LogEntry(2, 2, Bytes.utf8("b"))));
    Set<PeerId> voters = Set.of(p(1), p(2), p(3));
    RaftNode node = RaftNode.start(p(1), voters, cfg, storage, new SplittableRandom(seed), RaftLogger.SILENT);
    for (int i = 0; i < 2 * cfg.electionTicks() && !(node.status().role() == RaftRole.CANDIDATE); i++) node.tick();
    drain(node, storage, new ArrayList<>());
    node.step(new RequestVoteResponse(3, p(2), p(1), true));
    assertTrue(node.isLeader());
    return node;
  }

  @Test
  void newLeaderAppendsAnEmptyEntryOfItsTermAndCommitsOldEntriesThroughIt(long seed) {
    MemoryLogStorage storage = new MemoryLogStorage();
    RaftNode node = leaderOverOldLog(CFG, storage, seed);
    List<LogEntry> applied = new ArrayList<>();
    drain(node, storage, applied);
    LogEntry noop = storage.entries(3, 4, Long.MAX_VALUE).get(0);
    assertEquals(LogEntry.noop(3, 3), noop);
    assertEquals(EntryKind.NOOP, noop.kind());
    node.step(AppendEntriesResponse.accepted(3, p(2), p(1), 3));
    drain(node, storage, applied);
    assertEquals(3, node.status().commitIndex(), "the old entries commit with the no-op, no proposal needed");
    assertEquals(List.of("a", "b"), applied.stream().filter(LogEntry::isNormal).map(e -> e.command().utf8()).toList());
    assertEquals(3, node.status().appliedIndex(), "the no-op is handed out too, so the applied index passes it");
  }

  @Test
  void withoutTheNoopOldEntriesWaitForACommandOfTheNewTerm(long seed) {
    MemoryLogStorage storage = new MemoryLogStorage();
    RaftNode node = leaderOverOldLog(CFG.withNoopOnElection(false), storage, seed);
    drain(node, storage, new ArrayList<>());
    assertEquals(2, storage.lastIndex());
    node.step(AppendEntriesResponse.accepted(3, p(2), p(1), 2));
    assertEquals(0, node.status().commitIndex());
  }

  static List<raft.message.RaftMessage> drain(RaftNode node, MemoryLogStorage storage, List<LogEntry> applied) {
    List<raft.message.RaftMessage> out = new ArrayList<>();
    while (node.hasReady()) {
      Ready rd = node.ready();
      storage.save(rd);
      out.addAll(rd.messages());
      applied.addAll(rd.committed());
      node.advance(rd);
    }
    return out;
  }
}
