package raft.message;

import raft.PeerId;

/** The answer to a {@link RequestVote}. */
public record RequestVoteResponse(long term, PeerId from, PeerId to, boolean granted) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "RequestVoteResponse " + from + "->" + to + " term " + term + (granted ? " granted" : " rejected");
  }
}
