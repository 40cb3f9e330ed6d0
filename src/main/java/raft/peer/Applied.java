package raft.peer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import raft.message.LogEntry;
import raft.message.Snapshot;
import wire.CborSerializable;

/**
 * What a {@link RaftPeer} hands to its service (the lab's ApplyMsg), in log order and exactly
 * once per incarnation of the peer. A restarted peer starts over from its durable state: first
 * {@link SnapshotInstalled} with its latest snapshot (if any), then every committed entry after it.
 * The service replaces its state on {@code SnapshotInstalled} and applies {@code Committed}
 * entries one by one; it may later answer with {@link RaftPeer.TakeSnapshot}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Applied.Committed.class, name = "Committed"),
  @JsonSubTypes.Type(value = Applied.SnapshotInstalled.class, name = "SnapshotInstalled"),
})
public sealed interface Applied extends CborSerializable {
  /** Committed entries with consecutive indexes, following whatever was delivered before. */
  record Committed(List<LogEntry> entries) implements Applied {
    public Committed {
      entries = List.copyOf(entries);
    }

    public long lastIndex() {
      return entries.get(entries.size() - 1).index();
    }
  }

  /** Replace the service state with this snapshot (state after applying 1..meta.index). */
  record SnapshotInstalled(Snapshot snapshot) implements Applied {}
}
