package raft.core;

import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/** A read-only view of one peer for status pages, metrics and tests. */
public record RaftStatus(
    PeerId id,
    RaftRole role,
    long term,
    Optional<PeerId> leader,
    long commitIndex,
    long appliedIndex,
    long firstIndex,
    long lastIndex)
    implements CborSerializable {

  /** Derived from role (not serialized: see raft.serialization.RaftJacksonModule). */
  public boolean isLeader() {
    return role == RaftRole.LEADER;
  }
}
