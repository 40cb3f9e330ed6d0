package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvStore;
import org.junit.jupiter.api.Test;
import wire.Bytes;

/** The applying half of a replica: exactly once, in order, and snapshots that carry the sessions. */
class ReplicaTest {

  private static Replica<KvCommand, KvReply> replica() {
    return new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS);
  }

  private static Bytes entry(long client, long seq, KvCommand c) {
    return new Envelope<>(client, seq, c).encode(KvCodec.COMMANDS);
  }

  @Test
  void aRetriedWriteIsAppliedOnceAndAnsweredFromTheSession() {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 1, new KvCommand.Append("k", "a")));
    Replica.Outcome<KvReply> again = r.apply(2, entry(7, 1, new KvCommand.Append("k", "a")));
    assertTrue(again.duplicate());
    assertEquals(KvReply.DONE, again.result());
    assertEquals(new KvReply.Value("a"), r.apply(3, entry(7, 0, new KvCommand.Get("k"))).result());
  }

  @Test
  void anOlderDuplicateIsDroppedWithoutAResult() {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 1, new KvCommand.Append("k", "a")));
    r.apply(2, entry(7, 2, new KvCommand.Append("k", "b")));
    Replica.Outcome<KvReply> stale = r.apply(3, entry(7, 1, new KvCommand.Append("k", "a")));
    assertTrue(stale.duplicate());
    assertNull(stale.result());
    assertEquals(new KvReply.Value("ab"), r.apply(4, entry(8, 0, new KvCommand.Get("k"))).result());
  }

  @Test
  void readsAreNotRemembered() {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 0, new KvCommand.Get("k")));
    assertEquals(0, r.sessions().size());
  }

  @Test
  void emptyEntriesOnlyAdvanceTheIndex() {
    Replica<KvCommand, KvReply> r = replica();
    Replica.Outcome<KvReply> o = r.apply(1, Bytes.EMPTY);
    assertNull(o.result());
    assertEquals(1, r.appliedIndex());
  }

  @Test
  void entriesMustComeInOrder() {
    Replica<KvCommand, KvReply> r = replica();
    assertThrows(IllegalStateException.class, () -> r.apply(2, entry(1, 1, new KvCommand.Put("k", "v"))));
    r.apply(1, entry(1, 1, new KvCommand.Put("k", "v")));
    assertThrows(IllegalStateException.class, () -> r.apply(1, entry(1, 2, new KvCommand.Put("k", "v"))));
  }

  @Test
  void aSnapshotCarriesDataSessionsAndIndex() {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 1, new KvCommand.Put("a", "1")));
    r.apply(2, entry(8, 1, new KvCommand.Cas("b", null, "2")));
    Bytes snap = r.snapshot();

    Replica<KvCommand, KvReply> restored = replica();
    restored.restore(2, snap);
    assertEquals(2, restored.appliedIndex());
    Replica.Outcome<KvReply> dup = restored.apply(3, entry(8, 1, new KvCommand.Cas("b", null, "2")));
    assertTrue(dup.duplicate(), "the session survived the snapshot");
    assertEquals(new KvReply.CasResult(true, null), dup.result());
    assertEquals(new KvReply.Value("2"), restored.apply(4, entry(9, 0, new KvCommand.Get("b"))).result());
    assertEquals(snapshotAt(restored, 2), snapshotAt(r, 2));
  }

  private static Bytes snapshotAt(Replica<KvCommand, KvReply> r, long index) {
    // state machines compared by their data only: take a fresh replica at index
    Replica<KvCommand, KvReply> copy = replica();
    copy.restore(r.appliedIndex(), r.snapshot());
    return copy.machine().snapshot();
  }

  @Test
  void aSnapshotInstalledAtTheWrongIndexIsRefused() {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 1, new KvCommand.Put("a", "1")));
    assertThrows(IllegalArgumentException.class, () -> replica().restore(5, r.snapshot()));
    assertThrows(IllegalArgumentException.class, () -> replica().restore(1, Bytes.utf8("junk")));
  }

  @Test
  void garbageInTheLogIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> replica().apply(1, Bytes.utf8("x")));
    assertTrue(e.getMessage().contains("not an envelope"), e.getMessage());
    assertFalse(e.getMessage().isEmpty());
  }
}
