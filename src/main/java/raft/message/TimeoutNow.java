package raft.message;

import raft.PeerId;

/**
 * The leader hands over leadership (thesis §3.10): the receiver, whose log the leader has brought
 * up to date, campaigns at once, without pre-vote and past the other voters' leader lease.
 */
public record TimeoutNow(long term, PeerId from, PeerId to) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "TimeoutNow " + from + "->" + to + " term " + term;
  }
}
