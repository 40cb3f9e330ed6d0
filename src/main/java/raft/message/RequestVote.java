package raft.message;

import raft.PeerId;

/** A candidate asks for a vote in {@code term}; its log ends at lastLogTerm/lastLogIndex. */
public record RequestVote(long term, PeerId from, PeerId to, long lastLogIndex, long lastLogTerm)
    implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "RequestVote " + from + "->" + to + " term " + term + " [logterm " + lastLogTerm + ", index " + lastLogIndex + "]";
  }
}
