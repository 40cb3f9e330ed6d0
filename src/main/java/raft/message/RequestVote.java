package raft.message;

import raft.PeerId;

/**
 * A candidate asks for a vote in {@code term}; its log ends at lastLogTerm/lastLogIndex.
 * {@code leadershipTransfer}: the candidate campaigns because the leader told it to
 * ({@link TimeoutNow}), so voters grant it even though they heard from that leader recently.
 */
public record RequestVote(long term, PeerId from, PeerId to, long lastLogIndex, long lastLogTerm,
    boolean leadershipTransfer) implements RaftMessage {

  public RequestVote(long term, PeerId from, PeerId to, long lastLogIndex, long lastLogTerm) {
    this(term, from, to, lastLogIndex, lastLogTerm, false);
  }

  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "RequestVote " + from + "->" + to + " term " + term + " [logterm " + lastLogTerm + ", index " + lastLogIndex
        + "]" + (leadershipTransfer ? " (leadership transfer)" : "");
  }
}
