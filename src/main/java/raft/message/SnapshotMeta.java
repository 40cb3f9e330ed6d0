package raft.message;

import raft.Describable;
import wire.CborSerializable;

/**
 * Position of a snapshot in the log: it replaces entries 1..index, the last of which had term.
 * {@code membership} is the group's membership as of index (the last membership change at or
 * before it), so a peer restored from the snapshot knows its group without the entries; it is
 * {@link Membership#EMPTY} for snapshots taken before memberships were recorded (then the
 * bootstrap membership applies) and reads as EMPTY when missing from an old journal.
 */
public record SnapshotMeta(long index, long term, Membership membership) implements CborSerializable, Describable {
  public static final SnapshotMeta EMPTY = new SnapshotMeta(0, 0, Membership.EMPTY);

  public SnapshotMeta {
    if (membership == null) membership = Membership.EMPTY;
  }

  public SnapshotMeta(long index, long term) {
    this(index, term, Membership.EMPTY);
  }

  public String describe() {
    return "snapshot " + term + "/" + index + (membership.isEmpty() ? "" : " [" + membership.describe() + "]");
  }
}
