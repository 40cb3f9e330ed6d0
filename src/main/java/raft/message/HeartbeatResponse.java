package raft.message;

import raft.PeerId;

/**
 * The answer to a {@link Heartbeat}; tells the leader the follower is reachable, and echoes the
 * heartbeat's {@code readRound}: an answer in the leader's term to a round sent after a read
 * arrived is this follower's part of confirming that the leader still led then.
 */
public record HeartbeatResponse(long term, PeerId from, PeerId to, long readRound) implements RaftMessage {

  public HeartbeatResponse(long term, PeerId from, PeerId to) {
    this(term, from, to, 0);
  }

  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "HeartbeatResponse " + from + "->" + to + " term " + term + (readRound == 0 ? "" : " read round " + readRound);
  }
}
