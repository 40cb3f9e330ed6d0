package raft.core;

import java.util.ArrayList;
import java.util.List;
import raft.message.LogEntry;
import raft.message.Snapshot;

/**
 * The core's view of the log: the durable part in {@link LogStorage} plus an unstable tail of
 * entries (and possibly a snapshot from the leader) that {@link Ready} has not yet seen made
 * durable. Also tracks the commit and apply positions. Mutable, owned by one {@link RaftNode}.
 */
final class RaftLog {
  static final long UNKNOWN_TERM = -1;

  private final LogStorage storage;
  /** A snapshot received from the leader, not yet durable; when set it replaces the stored log. */
  private Snapshot unstableSnapshot;
  /** Entries not yet durable; unstable.get(i) has index unstableOffset + i. */
  private final ArrayList<LogEntry> unstable = new ArrayList<>();
  private long unstableOffset;

  private long committed;
  /** Highest index handed to the service (by a Ready whose advance() has come back). */
  private long applied;
  /** Highest index handed out in a Ready, possibly not yet advanced. */
  private long applying;

  RaftLog(LogStorage storage) {
    this.storage = storage;
    this.unstableOffset = storage.lastIndex() + 1;
    this.applied = storage.snapshotMeta().index();
    this.applying = applied;
    this.committed = Math.min(Math.max(storage.hardState().commit(), applied), storage.lastIndex());
  }

  long snapshotIndex() {
    return unstableSnapshot != null ? unstableSnapshot.meta().index() : storage.snapshotMeta().index();
  }

  long firstIndex() {
    return snapshotIndex() + 1;
  }

  long lastIndex() {
    if (!unstable.isEmpty()) return unstableOffset + unstable.size() - 1;
    if (unstableSnapshot != null) return unstableSnapshot.meta().index();
    return storage.lastIndex();
  }

  /**
   * The last index on disk: entries handed out by a Ready count once {@link #stableTo} confirms
   * them. What a leader counts for itself toward a commit, so that it may send entries to its
   * followers while it is still writing them (Raft thesis §10.2.1). 0 while a snapshot from a
   * leader is pending (only followers have one; nothing of theirs counts toward a commit).
   */
  long stableLastIndex() {
    if (unstableSnapshot != null) return 0;
    return unstable.isEmpty() ? lastIndex() : unstableOffset - 1;
  }

  long lastTerm() {
    return term(lastIndex());
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  /** The term of entry {@code index}, or {@link #UNKNOWN_TERM} if compacted away or beyond the end. */
  long term(long index) {
    long snapIndex = snapshotIndex();
    if (index < snapIndex || index > lastIndex()) return UNKNOWN_TERM;
    if (index == snapIndex) {
      return unstableSnapshot != null ? unstableSnapshot.meta().term() : storage.snapshotMeta().term();
    }
    if (index >= unstableOffset) return unstable.get((int) (index - unstableOffset)).term();
    return storage.term(index);
  }

  boolean matchTerm(long index, long term) {
    long t = term(index);
    return t != UNKNOWN_TERM && t == term;
  }

  /** Candidate's log is at least as up to date as ours (§5.4.1). */
  boolean isUpToDate(long lastIndex, long lastTerm) {
    long myTerm = lastTerm();
    return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
  }

  /** Entries from..to-1, at most maxBytes (but at least one). Requires firstIndex() <= from. */
  List<LogEntry> entries(long from, long to, long maxBytes) {
    if (from >= to) return List.of();
    if (from < firstIndex()) throw new IllegalStateException("entries from " + from + " compacted; first is " + firstIndex());
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    if (from < unstableOffset) {
      List<LogEntry> stored = storage.entries(from, Math.min(to, unstableOffset), maxBytes);
      out.addAll(stored);
      for (LogEntry e : stored) bytes += e.sizeBytes();
      if (out.size() < Math.min(to, unstableOffset) - from) return out; // hit the byte limit
    }
    for (long i = Math.max(from, unstableOffset); i < to; i++) {
      LogEntry e = unstable.get((int) (i - unstableOffset));
      bytes += e.sizeBytes();
      if (!out.isEmpty() && bytes > maxBytes) break;
      out.add(e);
    }
    return out;
  }

  /** The first index whose entry conflicts with ours or is new to us; 0 if we hold them all. */
  long findConflict(List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (!matchTerm(e.index(), e.term())) return e.index();
    }
    return 0;
  }

  /** Appends entries, replacing our entries from entries.get(0).index() on. */
  void append(List<LogEntry> entries) {
    if (entries.isEmpty()) return;
    long first = entries.get(0).index();
    if (first <= committed) throw new IllegalStateException("append at " + first + " would overwrite committed " + committed);
    if (first > lastIndex() + 1) throw new IllegalStateException("append at " + first + " leaves a gap after " + lastIndex());
    if (first <= unstableOffset) {
      // Replaces everything unstable, and (once durable) the stored entries from first on.
      unstable.clear();
      unstableOffset = first;
    } else {
      int keep = (int) (first - unstableOffset);
      while (unstable.size() > keep) unstable.remove(unstable.size() - 1);
    }
    unstable.addAll(entries);
  }

  void commitTo(long index) {
    if (index > committed) {
      if (index > lastIndex()) throw new IllegalStateException("commit " + index + " beyond last index " + lastIndex());
      committed = index;
    }
  }

  /** Replaces the log with a snapshot from the leader (we lack the entries it covers). */
  void restore(Snapshot snapshot) {
    unstableSnapshot = snapshot;
    unstable.clear();
    unstableOffset = snapshot.meta().index() + 1;
    committed = snapshot.meta().index();
  }

  List<LogEntry> unstableEntries() {
    return List.copyOf(unstable);
  }

  Snapshot unstableSnapshot() {
    return unstableSnapshot;
  }

  boolean hasUnstable() {
    return unstableSnapshot != null || !unstable.isEmpty();
  }

  boolean hasNextCommitted() {
    return committed > Math.max(applying, snapshotIndex());
  }

  /** Committed entries not yet handed out, marking them as being applied. */
  List<LogEntry> takeNextCommitted() {
    long from = Math.max(applying, snapshotIndex()) + 1;
    if (committed < from) return List.of();
    List<LogEntry> out = entries(from, committed + 1, Long.MAX_VALUE);
    applying = committed;
    return out;
  }

  /** The caller made entries up to index (with term) durable. */
  void stableTo(long index, long term) {
    if (unstable.isEmpty() || index < unstableOffset || !matchTerm(index, term)) return;
    int drop = (int) (index - unstableOffset + 1);
    unstable.subList(0, drop).clear();
    unstableOffset = index + 1;
  }

  /**
   * The caller made the snapshot durable. Without unstable entries the stored log now ends where
   * this view does; the offset is taken from the storage again so that the two can never drift
   * apart (a storage that kept entries behind the snapshot would otherwise leave the view pointing
   * at unstable entries it does not have).
   */
  void stableSnapshotTo(long index) {
    if (unstableSnapshot == null || unstableSnapshot.meta().index() != index) return;
    unstableSnapshot = null;
    if (unstable.isEmpty()) unstableOffset = storage.lastIndex() + 1;
  }

  void appliedTo(long index) {
    if (index > applied) {
      applied = index;
      if (applying < applied) applying = applied;
    }
  }
}
