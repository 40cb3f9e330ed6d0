package raft.message;

import raft.PeerId;

/** The answer to a {@link Heartbeat}; tells the leader the follower is reachable. */
public record HeartbeatResponse(long term, PeerId from, PeerId to) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "HeartbeatResponse " + from + "->" + to + " term " + term;
  }
}
