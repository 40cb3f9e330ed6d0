package raft.persistence;

import java.util.ArrayList;
import java.util.List;
import raft.core.Ready;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.SnapshotMeta;
import wire.Bytes;
import wire.CborSerializable;

/**
 * What a Raft peer writes to its journal: the durable half of a {@link Ready}, in the order the
 * Ready contract asks for (hard state, snapshot, entries). Replaying these events in order into
 * {@link DurableState} rebuilds exactly what the core had on disk.
 */
public sealed interface RaftEvent extends CborSerializable {

  /** Term, vote and commit index changed; the vote must be on disk before anyone hears of it. */
  record HardStateSaved(HardState hardState) implements RaftEvent {}

  /**
   * Entries {@code fromIndex..} were appended, replacing any existing entries from fromIndex on
   * (a follower truncating a conflicting suffix is just an append at a lower index).
   */
  record EntriesAppended(long fromIndex, List<LogEntry> entries) implements RaftEvent {
    public EntriesAppended {
      entries = List.copyOf(entries);
      if (entries.isEmpty()) throw new IllegalArgumentException("EntriesAppended without entries");
      if (entries.get(0).index() != fromIndex)
        throw new IllegalArgumentException("fromIndex " + fromIndex + " but first entry is " + entries.get(0).index());
    }

    public static EntriesAppended of(List<LogEntry> entries) {
      return new EntriesAppended(entries.get(0).index(), entries);
    }
  }

  /**
   * The service's snapshot covering 1..meta.index(): the entries up to it are dropped, later ones
   * kept. (Journals written before {@link SnapshotInstalled} existed also hold a leader's
   * snapshots as this event; replay keeps their old rule: the suffix after meta.index() survives
   * only if the log holds that entry with the same term.) See {@link DurableState}.
   */
  record SnapshotSaved(SnapshotMeta meta, Bytes data) implements RaftEvent {}

  /**
   * A follower installed the leader's snapshot (a {@link Ready}'s snapshot): it replaces the whole
   * log, exactly as it did in the core's view, so the view and the disk agree on where the log ends.
   */
  record SnapshotInstalled(SnapshotMeta meta, Bytes data) implements RaftEvent {}

  /** The events that make {@code rd} durable, in Ready order; empty if it has nothing to persist. */
  static List<RaftEvent> from(Ready rd) {
    List<RaftEvent> events = new ArrayList<>(3);
    rd.hardState().ifPresent(hs -> events.add(new HardStateSaved(hs)));
    rd.snapshot().ifPresent(s -> events.add(new SnapshotInstalled(s.meta(), s.data())));
    if (!rd.entries().isEmpty()) events.add(EntriesAppended.of(rd.entries()));
    return events;
  }
}
