package raft.message;

import wire.CborSerializable;

/** Position of a snapshot in the log: it replaces entries 1..index, the last of which had term. */
public record SnapshotMeta(long index, long term) implements CborSerializable {
  public static final SnapshotMeta EMPTY = new SnapshotMeta(0, 0);

  public String describe() {
    return "snapshot " + term + "/" + index;
  }
}
