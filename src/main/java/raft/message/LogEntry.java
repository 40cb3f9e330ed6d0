package raft.message;

import wire.Bytes;
import wire.CborSerializable;

/** One entry of the replicated log. Indexes start at 1. */
public record LogEntry(long index, long term, Bytes command) implements CborSerializable {
  /** Approximate bytes on the wire: payload plus index and term. */
  public long sizeBytes() {
    return command.size() + 16L;
  }

  public String describe() {
    return term + "/" + index;
  }
}
