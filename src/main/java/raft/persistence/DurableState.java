package raft.persistence;

import java.util.List;
import raft.core.LogStorage;
import raft.core.MemoryLogStorage;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import wire.CborSerializable;

/**
 * What replaying a peer's journal rebuilds: hard state, the latest snapshot and the log after it.
 * The core reads it as its {@link LogStorage}; only {@link #updated(RaftEvent)} (the event
 * handler) changes it.
 *
 * <p>Mutable on purpose: copying the log on every write would cost O(n) per event. It is owned
 * by exactly one actor (its {@code RaftPeer}), never sent in a message and never shared; the
 * Akka snapshot of it is the immutable {@link Image} taken by {@link #image()}.
 */
public final class DurableState implements LogStorage {
  private final MemoryLogStorage log;

  public DurableState() {
    this(new MemoryLogStorage());
  }

  private DurableState(MemoryLogStorage log) {
    this.log = log;
  }

  /** The event handler: applies one event in place and returns this state. */
  public DurableState updated(RaftEvent event) {
    if (event instanceof RaftEvent.HardStateSaved e) log.setHardState(e.hardState());
    else if (event instanceof RaftEvent.EntriesAppended e) log.append(e.entries());
    else if (event instanceof RaftEvent.SnapshotSaved e) saveSnapshot(new Snapshot(e.meta(), e.data()));
    else if (event instanceof RaftEvent.SnapshotInstalled e) installSnapshot(new Snapshot(e.meta(), e.data()));
    else throw new IllegalStateException("unknown event " + event);
    return this;
  }

  /** The service's snapshot: drops the entries it covers, keeps the rest if the log holds its last entry. */
  private void saveSnapshot(Snapshot snapshot) {
    SnapshotMeta meta = snapshot.meta();
    // An older snapshot than the one we hold carries nothing new (and must not wipe the log).
    if (meta.index() <= log.snapshotMeta().index()) return;
    if (meta.index() <= log.lastIndex() && log.term(meta.index()) == meta.term()) log.compact(meta.index(), snapshot.data());
    else log.installSnapshot(snapshot);
  }

  /** The leader's snapshot: replaces the log, as it did in the core's view. */
  private void installSnapshot(Snapshot snapshot) {
    if (snapshot.meta().index() <= log.snapshotMeta().index()) return;
    log.installSnapshot(snapshot);
  }

  /** An immutable copy for an Akka snapshot of this state. O(entries); taken rarely. */
  public Image image() {
    long first = log.firstIndex();
    long last = log.lastIndex();
    List<LogEntry> entries = first <= last ? log.entries(first, last + 1, Long.MAX_VALUE) : List.of();
    return new Image(log.hardState(), log.snapshot(), entries);
  }

  /** Rebuilds the state an {@link Image} was taken of. */
  public static DurableState fromImage(Image image) {
    MemoryLogStorage log = new MemoryLogStorage();
    if (!image.snapshot().isEmpty()) log.installSnapshot(image.snapshot());
    if (!image.entries().isEmpty()) log.append(image.entries());
    log.setHardState(image.hardState());
    return new DurableState(log);
  }

  /** The whole durable state as a value: what an Akka snapshot stores. */
  public record Image(HardState hardState, Snapshot snapshot, List<LogEntry> entries) implements CborSerializable {
    public Image {
      entries = List.copyOf(entries);
    }
  }

  // ---- LogStorage -----------------------------------------------------------------------

  @Override
  public HardState hardState() {
    return log.hardState();
  }

  @Override
  public SnapshotMeta snapshotMeta() {
    return log.snapshotMeta();
  }

  @Override
  public Snapshot snapshot() {
    return log.snapshot();
  }

  @Override
  public long lastIndex() {
    return log.lastIndex();
  }

  @Override
  public long term(long index) {
    return log.term(index);
  }

  @Override
  public List<LogEntry> entries(long from, long to, long maxBytes) {
    return log.entries(from, to, maxBytes);
  }

  @Override
  public String toString() {
    return "DurableState[" + hardState().describe() + ", " + snapshotMeta().describe() + ", last index " + lastIndex() + "]";
  }
}
