package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntries;
import raft.message.HardState;
import raft.message.Heartbeat;
import raft.message.InstallSnapshot;
import raft.message.LogEntry;
import raft.message.RequestVote;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import wire.Bytes;

/**
 * A leader's snapshot replaces the log in the core's view and on disk alike, also when it arrives
 * in the same Ready as an AppendEntries that truncated the log (RaftPeer feeds every command that
 * arrived during a write into one Ready; the simulator never did).
 *
 * <p>The history: p1 holds 1..10 of term 1 on disk (commit 2). A leader of term 2 (p2) whose log
 * ends at 5 makes p1 truncate from 6 in memory; before that reaches disk, a leader of term 3 (p3,
 * whose log is p1's old one) sends its snapshot at 8 (term 1). The in-memory log does not hold
 * 8/1 any more, so the core restores the snapshot; the disk does, and used to keep 9..10 behind
 * it while the core pointed its unstable offset at 9 with no entries: the next look at term(10)
 * threw IndexOutOfBoundsException.
 */
class RaftLogSnapshotTest {
  private static final PeerId P1 = PeerId.of("p1");
  private static final PeerId P2 = PeerId.of("p2");
  private static final PeerId P3 = PeerId.of("p3");
  private static final Set<PeerId> VOTERS = Set.of(P1, P2, P3, PeerId.of("p4"), PeerId.of("p5"));

  private static LogEntry e(long index, long term) {
    return new LogEntry(index, term, Bytes.utf8("c" + index + "/" + term));
  }

  private static List<LogEntry> termOneLog() {
    List<LogEntry> log = new ArrayList<>();
    for (long i = 1; i <= 10; i++) log.add(e(i, 1));
    return log;
  }

  /** Steps the truncating append and the snapshot, then makes their one Ready durable with {@code save}. */
  private static RaftNode truncateAndRestoreInOneReady(LogStorage storage, Consumer<Ready> save) {
    RaftNode node = RaftNode.start(P1, VOTERS, RaftConfig.defaults(), storage, new SplittableRandom(1), RaftLogger.SILENT);
    node.step(new AppendEntries(2, P2, P1, 5, 1, List.of(e(6, 2)), 2));
    node.step(new InstallSnapshot(3, P3, P1, new Snapshot(new SnapshotMeta(8, 1), Bytes.utf8("image@8"))));
    Ready rd = node.ready();
    assertTrue(rd.snapshot().isPresent(), "the snapshot is in the Ready");
    save.accept(rd);
    node.advance(rd);
    return node;
  }

  /** What the node and its storage say after the Ready: both end the log at the snapshot. */
  private static void assertLogEndsAtTheSnapshot(RaftNode node, LogStorage storage) {
    // Looks at the last term (this is where the IndexOutOfBoundsException came from).
    node.step(new RequestVote(3, PeerId.of("p4"), P1, 10, 1));
    assertEquals(1, node.log.lastTerm());
    assertEquals(8, storage.lastIndex(), "storage: a leader's snapshot replaces the log");
    assertEquals(8, node.status().lastIndex());
    assertEquals(9, node.status().firstIndex());
    // And the log grows again from the snapshot on.
    node.step(new AppendEntries(3, P3, P1, 8, 1, List.of(e(9, 3)), 9));
    Ready rd = node.ready();
    assertEquals(List.of(e(9, 3)), rd.entries());
    if (storage instanceof MemoryLogStorage m) m.save(rd);
    node.advance(rd);
    node.step(new Heartbeat(3, P3, P1, 9));
    assertEquals(9, node.status().lastIndex());
  }

  @Test
  void memoryStorage() {
    MemoryLogStorage storage = new MemoryLogStorage();
    storage.append(termOneLog());
    storage.setHardState(new HardState(1, Optional.of(P3), 2));
    RaftNode node = truncateAndRestoreInOneReady(storage, storage::save);
    assertLogEndsAtTheSnapshot(node, storage);
  }

  @Test
  void durableStateReplayingTheReadysEvents() {
    DurableState storage = new DurableState()
        .updated(RaftEvent.EntriesAppended.of(termOneLog()))
        .updated(new RaftEvent.HardStateSaved(new HardState(1, Optional.of(P3), 2)));
    RaftNode node = truncateAndRestoreInOneReady(storage, rd -> RaftEvent.from(rd).forEach(storage::updated));
    assertEquals(1, node.log.lastTerm());
    assertEquals(8, storage.lastIndex(), "durable state: a leader's snapshot replaces the log");
    // A restart replays the same events into the same state.
    RaftNode restarted = RaftNode.start(P1, VOTERS, RaftConfig.defaults(), storage, new SplittableRandom(2),
        RaftLogger.SILENT);
    assertEquals(8, restarted.status().lastIndex());
    assertEquals(8, restarted.status().commitIndex());
  }

  @Test
  void aServiceSnapshotStillKeepsTheTail() {
    DurableState storage = new DurableState()
        .updated(RaftEvent.EntriesAppended.of(termOneLog()))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(8, 1), Bytes.utf8("service@8")));
    assertEquals(9, storage.firstIndex());
    assertEquals(10, storage.lastIndex());
  }
}
