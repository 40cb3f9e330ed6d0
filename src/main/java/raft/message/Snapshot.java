package raft.message;

import wire.Bytes;
import wire.CborSerializable;

/** A snapshot: the service's state after applying entries 1..meta.index, as opaque bytes. */
public record Snapshot(SnapshotMeta meta, Bytes data) implements CborSerializable {
  public static final Snapshot EMPTY = new Snapshot(SnapshotMeta.EMPTY, Bytes.EMPTY);
  public boolean isEmpty() {
    return meta.index() == 0;
  }
}
