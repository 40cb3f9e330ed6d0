package raft.message;

import raft.PeerId;

/**
 * The answer to a {@link PreVote}: granted with the pre-vote's term, rejected with the voter's own
 * term; with the voter's commit position, as in {@link RequestVoteResponse}.
 */
public record PreVoteResponse(long term, PeerId from, PeerId to, boolean granted, long commitIndex, long commitTerm)
    implements RaftMessage {

  public PreVoteResponse(long term, PeerId from, PeerId to, boolean granted) {
    this(term, from, to, granted, 0, 0);
  }

  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "PreVoteResponse " + from + "->" + to + " term " + term + (granted ? " granted" : " rejected")
        + (commitIndex > 0 ? " [commit " + commitTerm + "/" + commitIndex + "]" : "");
  }
}
