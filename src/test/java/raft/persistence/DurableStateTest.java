package raft.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.SnapshotMeta;
import wire.Bytes;

/** What replaying RaftEvents rebuilds, event by event. */
class DurableStateTest {
  private static LogEntry e(long index, long term) {
    return new LogEntry(index, term, Bytes.utf8("c" + index));
  }

  private static DurableState withEntries(LogEntry... entries) {
    return new DurableState().updated(RaftEvent.EntriesAppended.of(List.of(entries)));
  }

  @Test
  void appendAtALowerIndexReplacesTheSuffix() {
    DurableState s = withEntries(e(1, 1), e(2, 1), e(3, 1))
        .updated(RaftEvent.EntriesAppended.of(List.of(e(2, 2))));
    assertEquals(2, s.lastIndex());
    assertEquals(2, s.term(2));
  }

  @Test
  void aGapInTheLogFailsReplay() {
    DurableState s = withEntries(e(1, 1));
    assertThrows(IllegalArgumentException.class, () -> s.updated(RaftEvent.EntriesAppended.of(List.of(e(3, 1)))));
  }

  @Test
  void serviceSnapshotDropsEntriesUpToItsIndexAndKeepsTheRest() {
    DurableState s = withEntries(e(1, 1), e(2, 1), e(3, 2), e(4, 2))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(2, 1), Bytes.utf8("image")));
    assertEquals(3, s.firstIndex());
    assertEquals(4, s.lastIndex());
    assertEquals(List.of(e(3, 2), e(4, 2)), s.entries(3, 5, Long.MAX_VALUE));
    assertEquals(Bytes.utf8("image"), s.snapshot().data());
  }

  @Test
  void leaderSnapshotBeyondTheLogReplacesIt() {
    DurableState s = withEntries(e(1, 1), e(2, 1))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(5, 3), Bytes.utf8("leader")));
    assertEquals(6, s.firstIndex());
    assertEquals(5, s.lastIndex());
    assertEquals(3, s.term(5));
  }

  @Test
  void olderSnapshotChangesNothing() {
    DurableState s = withEntries(e(1, 1), e(2, 1), e(3, 1))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(2, 1), Bytes.utf8("new")))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(1, 1), Bytes.utf8("old")));
    assertEquals(Bytes.utf8("new"), s.snapshot().data());
    assertEquals(3, s.lastIndex());
  }

  @Test
  void imageRebuildsTheSameState() {
    DurableState s = withEntries(e(1, 1), e(2, 1), e(3, 2))
        .updated(new RaftEvent.HardStateSaved(new HardState(2, Optional.of(PeerId.of("p2")), 3)))
        .updated(new RaftEvent.SnapshotSaved(new SnapshotMeta(1, 1), Bytes.utf8("img")));
    DurableState copy = DurableState.fromImage(s.image());
    assertEquals(s.image(), copy.image());
    assertEquals(s.hardState(), copy.hardState());
    assertEquals(2, copy.firstIndex());
    assertEquals(3, copy.lastIndex());
  }

  @Test
  void entriesAppendedChecksItsFromIndex() {
    assertThrows(IllegalArgumentException.class, () -> new RaftEvent.EntriesAppended(2, List.of(e(1, 1))));
  }
}
