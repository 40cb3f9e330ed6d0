package raft.message;

import raft.PeerId;

/** The answer to an {@link InstallSnapshot}: the follower's log now matches up to matchIndex. */
public record InstallSnapshotResponse(long term, PeerId from, PeerId to, long matchIndex) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "InstallSnapshotResponse " + from + "->" + to + " term " + term + " match " + matchIndex;
  }
}
