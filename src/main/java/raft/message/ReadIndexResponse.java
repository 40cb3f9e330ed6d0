package raft.message;

import raft.PeerId;

/**
 * The leader's answer to a {@link ReadIndexRequest}: with {@code granted}, the follower may serve
 * read {@code id} once it has applied up to {@code index}; without, the peer asked does not lead
 * (the follower drops the read and its caller retries elsewhere).
 */
public record ReadIndexResponse(long term, PeerId from, PeerId to, long id, long index, boolean granted)
    implements RaftMessage {
  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "ReadIndexResponse " + from + "->" + to + " term " + term + " read " + id
        + (granted ? " index " + index : " refused");
  }
}
