package raft.message;

import raft.PeerId;

/** The answer to a {@link PreVote}: granted with the pre-vote's term, rejected with the voter's own term. */
public record PreVoteResponse(long term, PeerId from, PeerId to, boolean granted) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "PreVoteResponse " + from + "->" + to + " term " + term + (granted ? " granted" : " rejected");
  }
}
