package raft.message;

import raft.PeerId;

/**
 * The leader's periodic "I am alive". Unlike an empty AppendEntries it carries no log position
 * to check, so it can never disturb a pipeline of in-flight appends; its commit is capped at what
 * the follower is known to hold.
 */
public record Heartbeat(long term, PeerId from, PeerId to, long commit) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "Heartbeat " + from + "->" + to + " term " + term + " commit " + commit;
  }
}
