package raft.message;

import raft.PeerId;

/**
 * The answer to a {@link RequestVote}. It also tells the candidate how far the voter knows the
 * log to be committed ({@code commitIndex}, whose entry has {@code commitTerm}): a candidate whose
 * log holds that entry learns that its log is committed up to there. This is what lets a
 * remaining voter that missed the commit of a membership change learn it from a removed peer,
 * whose vote its stale membership still asks for but whose longer log refuses it.
 */
public record RequestVoteResponse(long term, PeerId from, PeerId to, boolean granted, long commitIndex,
    long commitTerm) implements RaftMessage {

  public RequestVoteResponse(long term, PeerId from, PeerId to, boolean granted) {
    this(term, from, to, granted, 0, 0);
  }

  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "RequestVoteResponse " + from + "->" + to + " term " + term + (granted ? " granted" : " rejected")
        + (commitIndex > 0 ? " [commit " + commitTerm + "/" + commitIndex + "]" : "");
  }
}
