package raft.core;

import java.util.List;
import raft.message.EntryKind;
import raft.message.HardState;
import raft.message.Membership;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;

/**
 * The durable part of a peer's state, as the core reads it (etcd's {@code Storage}). The caller
 * owns it and changes it only by persisting what {@link Ready} hands out, and by compacting the
 * log behind a service snapshot. The core never writes to it.
 *
 * <p>Indexes: the log holds entries {@code firstIndex()..lastIndex()}; entries up to
 * {@code snapshotMeta().index()} are replaced by the snapshot, so
 * {@code firstIndex() == snapshotMeta().index() + 1}. An empty log has lastIndex == snapshot index.
 */
public interface LogStorage {
  HardState hardState();

  SnapshotMeta snapshotMeta();

  /** The latest snapshot with its data, sent to followers that fell behind the log. */
  Snapshot snapshot();

  default long firstIndex() {
    return snapshotMeta().index() + 1;
  }

  long lastIndex();

  /** The term of entry {@code index}, for snapshotMeta().index() <= index <= lastIndex(). */
  long term(long index);

  /**
   * Entries {@code from} (inclusive) to {@code to} (exclusive), at most {@code maxBytes} of them
   * but always at least one when the range is not empty. Requires firstIndex() <= from <= to <= lastIndex()+1.
   */
  List<LogEntry> entries(long from, long to, long maxBytes);

  /**
   * The membership as of entry {@code index} (firstIndex()-1 <= index <= lastIndex()): the last
   * membership change at or before it, else the snapshot's. What a snapshot taken at index records
   * in its {@link SnapshotMeta}. {@link Membership#EMPTY} if neither knows one (the bootstrap membership holds).
   */
  default Membership membershipAt(long index) {
    long first = firstIndex();
    if (index >= first) {
      List<LogEntry> entries = entries(first, index + 1, Long.MAX_VALUE);
      for (int i = entries.size() - 1; i >= 0; i--) {
        LogEntry e = entries.get(i);
        if (e.kind() == EntryKind.CONF_CHANGE) return Membership.decode(e.command());
      }
    }
    return snapshotMeta().membership();
  }
}
