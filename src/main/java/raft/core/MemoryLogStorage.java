package raft.core;

import java.util.ArrayList;
import java.util.List;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import wire.Bytes;

/**
 * {@link LogStorage} kept in memory: the simulator's and the lab harness's "disk". Mutable and
 * owned by one peer; {@link #copy()} gives the value handed to the next incarnation on a crash.
 */
public final class MemoryLogStorage implements LogStorage {
  private HardState hardState = HardState.INITIAL;
  private Snapshot snapshot = Snapshot.EMPTY;
  /** entries.get(i) has index snapshot.meta().index() + 1 + i. */
  private final ArrayList<LogEntry> entries;
  /** Sum of entries' sizeBytes, kept up to date so that raftStateSize() is O(1) (services ask after every apply). */
  private long entryBytes;

  public MemoryLogStorage() {
    this.entries = new ArrayList<>();
  }

  private MemoryLogStorage(HardState hs, Snapshot snap, List<LogEntry> entries, long entryBytes) {
    this.hardState = hs;
    this.snapshot = snap;
    this.entries = new ArrayList<>(entries);
    this.entryBytes = entryBytes;
  }

  /** An independent copy: later writes to either do not reach the other. */
  public MemoryLogStorage copy() {
    return new MemoryLogStorage(hardState, snapshot, entries, entryBytes);
  }

  /** Persists what a Ready asks to be durable (hard state, snapshot, then entries). */
  public void save(Ready rd) {
    rd.hardState().ifPresent(this::setHardState);
    rd.snapshot().ifPresent(this::installSnapshot);
    if (!rd.entries().isEmpty()) append(rd.entries());
  }

  public void setHardState(HardState hs) {
    this.hardState = hs;
  }

  /**
   * Replaces the whole log with a snapshot received from the leader, as the core's view does
   * ({@code RaftLog.restore}): the core restores only a snapshot whose last entry it does not
   * hold, so nothing of the old log may outlive it here either (etcd's ApplySnapshot).
   */
  public void installSnapshot(Snapshot snap) {
    entries.clear();
    entryBytes = 0;
    this.snapshot = snap;
  }

  /** Appends entries, first dropping any existing entries at or after the first new index. */
  public void append(List<LogEntry> newEntries) {
    long first = newEntries.get(0).index();
    long offset = snapshot.meta().index() + 1;
    if (first < offset) throw new IllegalArgumentException("append at " + first + " below first index " + offset);
    if (first > lastIndex() + 1) throw new IllegalArgumentException("gap: append at " + first + " after " + lastIndex());
    int keep = (int) (first - offset);
    while (entries.size() > keep) entryBytes -= entries.remove(entries.size() - 1).sizeBytes();
    entries.addAll(newEntries);
    for (LogEntry e : newEntries) entryBytes += e.sizeBytes();
  }

  /**
   * The service took a snapshot covering 1..index: keep {@code data} and drop those entries.
   * Requires snapshot index < index <= lastIndex().
   */
  public void compact(long index, Bytes data) {
    long snapIndex = snapshot.meta().index();
    if (index <= snapIndex) return;
    if (index > lastIndex()) throw new IllegalArgumentException("compact " + index + " beyond last index " + lastIndex());
    long t = term(index);
    Membership membership = membershipAt(index);
    dropFirst((int) (index - snapIndex));
    snapshot = new Snapshot(new SnapshotMeta(index, t, membership), data);
  }

  private void dropFirst(int n) {
    List<LogEntry> dropped = entries.subList(0, n);
    for (LogEntry e : dropped) entryBytes -= e.sizeBytes();
    dropped.clear();
  }

  @Override
  public HardState hardState() {
    return hardState;
  }

  @Override
  public SnapshotMeta snapshotMeta() {
    return snapshot.meta();
  }

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  @Override
  public long lastIndex() {
    return snapshot.meta().index() + entries.size();
  }

  @Override
  public long term(long index) {
    long snapIndex = snapshot.meta().index();
    if (index == snapIndex) return snapshot.meta().term();
    if (index < snapIndex || index > lastIndex())
      throw new IllegalArgumentException("term(" + index + ") outside " + snapIndex + ".." + lastIndex());
    return entries.get((int) (index - snapIndex - 1)).term();
  }

  @Override
  public List<LogEntry> entries(long from, long to, long maxBytes) {
    long snapIndex = snapshot.meta().index();
    if (from <= snapIndex || to > lastIndex() + 1 || from > to)
      throw new IllegalArgumentException("entries(" + from + ", " + to + ") outside " + (snapIndex + 1) + ".." + lastIndex());
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = from; i < to; i++) {
      LogEntry e = entries.get((int) (i - snapIndex - 1));
      bytes += e.sizeBytes();
      if (!out.isEmpty() && bytes > maxBytes) break;
      out.add(e);
    }
    return out;
  }

  /** Bytes of Raft state (hard state and entries), like the lab's RaftStateSize(). */
  public long raftStateSize() {
    return 24 + entryBytes;
  }

  /** Bytes of the snapshot, like the lab's SnapshotSize(). */
  public long snapshotSize() {
    return snapshot.data().size();
  }
}
