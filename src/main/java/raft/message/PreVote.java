package raft.message;

import raft.PeerId;

/**
 * Would you vote for me in {@code term}? (thesis §9.6) Sent with the term the sender would
 * campaign at, without raising its own term; a peer answers as it would a {@link RequestVote} but
 * changes nothing (no term, no vote), so a peer cut off from the group cannot disrupt it on return.
 */
public record PreVote(long term, PeerId from, PeerId to, long lastLogIndex, long lastLogTerm) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "PreVote " + from + "->" + to + " term " + term + " [logterm " + lastLogTerm + ", index " + lastLogIndex + "]";
  }
}
