package raft.message;

import raft.PeerId;

/**
 * A follower asks its leader for a read index on behalf of its read {@code id} (etcd's
 * MsgReadIndex forwarded to the leader): the leader answers with {@link ReadIndexResponse} once it
 * has confirmed its leadership by a heartbeat round that started after this request arrived.
 */
public record ReadIndexRequest(long term, PeerId from, PeerId to, long id) implements RaftMessage {
  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "ReadIndexRequest " + from + "->" + to + " term " + term + " read " + id;
  }
}
