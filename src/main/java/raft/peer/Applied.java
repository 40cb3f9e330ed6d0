package raft.peer;

import akka.actor.NoSerializationVerificationNeeded;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Optional;
import raft.PeerId;
import raft.core.RaftRole;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import wire.CborSerializable;

/**
 * What a {@link RaftPeer} hands to its service (the lab's ApplyMsg), in log order and exactly
 * once per incarnation of the peer. A restarted peer starts over from its durable state: first
 * {@link SnapshotDirectory} (where the service writes the snapshots it takes), then
 * {@link SnapshotInstalled} with its latest snapshot (if any), then every committed entry after it.
 * The service replaces its state on {@code SnapshotInstalled} and applies {@code Committed}
 * entries one by one; it may later answer with {@link RaftPeer.TakeSnapshot}. {@link RoleChanged}
 * says, in the same order, when the peer's role, term or known leader changed, so a service can
 * fail the calls waiting on a leadership it no longer has. {@code SnapshotInstalled} and
 * {@code SnapshotDirectory} hold open files: they go only to the service in the same JVM.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Applied.Committed.class, name = "Committed"),
  @JsonSubTypes.Type(value = Applied.SnapshotInstalled.class, name = "SnapshotInstalled"),
  @JsonSubTypes.Type(value = Applied.RoleChanged.class, name = "RoleChanged"),
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

  /**
   * Replace the service state with this snapshot (state after applying 1..meta.index): read the
   * image from {@code image} as it goes, then close it. The image is open already, so the peer may
   * delete its file once a newer snapshot is durable, however far behind the service is.
   */
  record SnapshotInstalled(SnapshotMeta meta, SnapshotImage image) implements Applied, NoSerializationVerificationNeeded {
    /** The snapshot with its whole image in memory: only for small images and tests. */
    public Snapshot readSnapshot() {
      return new Snapshot(meta, image.readAll());
    }
  }

  /**
   * Sent first: the peer's snapshot store. A service writes each snapshot it takes there
   * ({@link SnapshotFiles#write}, streamed) and hands the peer only the reference
   * ({@code TakeSnapshot(index, file.toHandle())}), so the image is never in memory whole.
   */
  record SnapshotDirectory(SnapshotFiles files) implements Applied, NoSerializationVerificationNeeded {}

  /**
   * The peer's role, term or leader hint changed (sent once at start, then on every change). A
   * peer that stops leading, or leads again in a later term, never learns the fate of the entries
   * it accepted in the old term: its service should answer their callers now.
   */
  record RoleChanged(long term, RaftRole role, Optional<PeerId> leaderHint) implements Applied {
    @JsonIgnore
    public boolean isLeader() {
      return role == RaftRole.LEADER;
    }
  }
}
