package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvServer;
import kvraft.KvStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import wire.Bytes;

/** The applying half of a replica: exactly once, in order, and snapshots that carry the sessions. */
@ExtendWith(SeedExtension.class)
class ReplicaTest {

  private static Replica<KvCommand, KvReply> replica() {
    return new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS, KvServer.REPLIES,
        ClientSessions.DEFAULT_MAX_SESSIONS);
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

  /** Journals written before snapshots were streamed hold images with the state machine's part length-prefixed. */
  @Test
  void aSnapshotInTheFormatBeforeStreamingIsStillRead() throws Exception {
    Replica<KvCommand, KvReply> r = replica();
    r.apply(1, entry(7, 1, new KvCommand.Put("a", "1")));
    r.apply(2, entry(8, 1, new KvCommand.Put("b", "2")));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(buf);
    out.writeLong(2);
    r.sessions().write(out, KvCodec.RESULTS);
    byte[] state = r.machine().snapshot().toArray();
    out.writeInt(state.length);
    out.write(state);
    out.writeInt(12345); // bytes past the state machine's part are not read as state

    Replica<KvCommand, KvReply> restored = replica();
    restored.restore(2, Bytes.wrap(buf.toByteArray()));
    assertEquals(new KvReply.Value("2"), restored.apply(3, entry(9, 0, new KvCommand.Get("b"))).result());
    assertTrue(restored.apply(4, entry(8, 1, new KvCommand.Put("b", "2"))).duplicate(), "the sessions were read");
    assertEquals(r.machine().snapshot(), restored.machine().snapshot());
  }

  @Test
  void aReplicaSnapshotStreamsAsItIsWrittenAndRead() throws Exception {
    Replica<KvCommand, KvReply> r = replica();
    for (int i = 1; i <= 20; i++) r.apply(i, entry(i, 1, new KvCommand.Put("k" + i, "v".repeat(1000 * i))));
    ByteArrayOutputStream image = new ByteArrayOutputStream();
    r.writeSnapshot(image);
    assertEquals(r.snapshot(), Bytes.wrap(image.toByteArray()), "the one-value form is the streamed one");
    Replica<KvCommand, KvReply> restored = replica();
    restored.restore(20, new ByteArrayInputStream(image.toByteArray()));
    assertEquals(20, restored.appliedIndex());
    assertEquals(r.machine().snapshot(), restored.machine().snapshot());
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

  // ---- defect 5: an entry that cannot be applied is a failed command, not a crash ----------------

  @Test
  void anEntryThatDoesNotDecodeIsAFailedCommandAndTheIndexMovesOn() {
    Replica<KvCommand, KvReply> r = replica();
    Replica.Outcome<KvReply> bad = r.apply(1, Bytes.utf8("x"));
    KvReply.Rejected rej = assertInstanceOf(KvReply.Rejected.class, bad.result());
    assertTrue(rej.reason().contains("entry 1 does not decode"), rej.reason());
    assertEquals(1, r.appliedIndex());
    assertEquals(KvReply.DONE, r.apply(2, entry(7, 1, new KvCommand.Put("k", "v"))).result(), "the next entry applies");
    Replica<KvCommand, KvReply> other = replica();
    assertEquals(bad, other.apply(1, Bytes.utf8("x")), "every replica gives the same result");
  }

  @Test
  void aCommandWhoseApplyThrowsIsAFailedCommandCachedInItsSession() {
    Replica<KvCommand, KvReply> r = new Replica<>(new ThrowingKv(), KvCodec.COMMANDS, KvCodec.RESULTS, KvServer.REPLIES, 10);
    KvReply failed = r.apply(1, entry(7, 1, new KvCommand.Put("boom", "v"))).result();
    KvReply.Rejected rej = assertInstanceOf(KvReply.Rejected.class, failed);
    assertTrue(rej.reason().contains("index 1 failed") && rej.reason().contains("planted failure"), rej.reason());
    Replica.Outcome<KvReply> retry = r.apply(2, entry(7, 1, new KvCommand.Put("boom", "v")));
    assertTrue(retry.duplicate());
    assertEquals(failed, retry.result(), "the retry gets the same failure, from the session");
    assertInstanceOf(KvReply.Rejected.class, r.apply(3, entry(0, 0, new KvCommand.Get("boom"))).result());
    assertEquals(KvReply.DONE, r.apply(4, entry(7, 2, new KvCommand.Put("k", "v"))).result());
    Replica<KvCommand, KvReply> restored = new Replica<>(new ThrowingKv(), KvCodec.COMMANDS, KvCodec.RESULTS,
        KvServer.REPLIES, 10);
    Replica<KvCommand, KvReply> again = new Replica<>(new ThrowingKv(), KvCodec.COMMANDS, KvCodec.RESULTS,
        KvServer.REPLIES, 10);
    restored.restore(2, snapshotAfter(again, 2, List.of(entry(7, 1, new KvCommand.Put("boom", "v")),
        entry(7, 1, new KvCommand.Put("boom", "v")))));
    assertEquals(failed, restored.apply(3, entry(7, 1, new KvCommand.Put("boom", "v"))).result(),
        "the cached failure is in the snapshot too");
  }

  private static Bytes snapshotAfter(Replica<KvCommand, KvReply> r, long upTo, List<Bytes> entries) {
    for (int i = 0; i < upTo; i++) r.apply(i + 1, entries.get(i));
    return r.snapshot();
  }

  // ---- defect 4: sessions expire, the same way on every replica ---------------------------------

  private static Replica<KvCommand, KvReply> bounded(int maxSessions) {
    return new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS, KvServer.REPLIES, maxSessions);
  }

  @Test
  void sessionsAreBoundedInTheSnapshotAndIdenticalOnEveryReplica(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Bytes> log = new ArrayList<>();
    long[] seqs = new long[40];
    for (int i = 0; i < 2_000; i++) {
      int client = random.nextInt(seqs.length);
      log.add(entry(client + 1, ++seqs[client], new KvCommand.Append("k" + client % 5, "x")));
    }
    Replica<KvCommand, KvReply> a = bounded(8);
    Replica<KvCommand, KvReply> b = bounded(8);
    Replica<KvCommand, KvReply> c = bounded(8);
    List<KvReply> resultsA = new ArrayList<>();
    List<KvReply> resultsB = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      resultsA.add(a.apply(i + 1, log.get(i)).result());
      resultsB.add(b.apply(i + 1, log.get(i)).result());
      if (i == 999) c.restore(1000, a.snapshot()); // c catches up from a snapshot half-way
      if (i >= 1000) c.apply(i + 1, log.get(i));
      assertTrue(a.sessions().size() <= 8, "bounded: " + a.sessions().size());
    }
    assertEquals(resultsA, resultsB);
    assertEquals(8, a.sessions().size());
    assertEquals(a.snapshot(), b.snapshot(), "byte-identical snapshots");
    assertEquals(a.snapshot(), c.snapshot(), "a replica restored from a snapshot expires the same sessions");
    assertTrue(a.snapshot().size() < 8 * 40 + 1_000 + 2_000 * 2, "the snapshot holds 8 sessions: " + a.snapshot().size());
  }

  @Test
  void aWriteOfAnExpiredSessionIsRefusedNeverAppliedTwice() {
    Replica<KvCommand, KvReply> r = bounded(2);
    assertEquals(KvReply.DONE, r.apply(1, entry(1, 1, new KvCommand.Append("k", "a"))).result());
    assertEquals(KvReply.DONE, r.apply(2, entry(2, 1, new KvCommand.Append("k", "b"))).result());
    assertEquals(KvReply.DONE, r.apply(3, entry(2, 2, new KvCommand.Append("k", "c"))).result());
    assertEquals(KvReply.DONE, r.apply(4, entry(1, 2, new KvCommand.Append("k", "d"))).result(), "client 1 used last");
    assertEquals(KvReply.DONE, r.apply(5, entry(3, 1, new KvCommand.Append("k", "e"))).result()); // forgets client 2
    assertNull(r.sessions().get(2), "the least recently used (by log index) was forgotten");
    assertEquals(2, r.sessions().size());
    // Client 2 retries its seq 2 (applied at index 3): refused, not applied again; so is its next write.
    assertEquals(KvReply.SESSION_EXPIRED, r.apply(6, entry(2, 2, new KvCommand.Append("k", "c"))).result());
    assertEquals(KvReply.SESSION_EXPIRED, r.apply(7, entry(2, 3, new KvCommand.Append("k", "f"))).result());
    assertNull(r.sessions().get(2), "a refused write opens no session");
    assertEquals(KvReply.DONE, r.apply(8, entry(1, 3, new KvCommand.Append("k", "g"))).result(), "client 1 kept");
    assertTrue(r.apply(9, entry(1, 3, new KvCommand.Append("k", "g"))).duplicate());
    assertEquals(KvReply.DONE, r.apply(10, entry(4, 1, new KvCommand.Append("k", "h"))).result(), "a new session");
    assertEquals(new KvReply.Value("abcdegh"), r.apply(11, entry(0, 0, new KvCommand.Get("k"))).result(),
        "the refused writes were not applied, and nothing twice");
  }
}
