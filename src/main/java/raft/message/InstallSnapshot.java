package raft.message;

import raft.PeerId;

/** The leader sends its snapshot to a follower whose next entry it has already compacted away. */
public record InstallSnapshot(long term, PeerId from, PeerId to, Snapshot snapshot) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "InstallSnapshot " + from + "->" + to + " term " + term + " [" + snapshot.meta().describe() + ", "
        + snapshot.data().size() + " bytes]";
  }
}
