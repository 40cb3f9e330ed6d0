package raft.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/** A read-only view of one peer for status pages, metrics and tests. */
public record RaftStatus(
    PeerId id,
    RaftRole role,
    long term,
    @JsonProperty("leader") Optional<PeerId> leader,
    long commitIndex,
    long appliedIndex,
    long firstIndex,
    long lastIndex)
    implements CborSerializable {

  @JsonIgnore // not a property: derived from role, and would collide with leader
  public boolean isLeader() {
    return role == RaftRole.LEADER;
  }
}
