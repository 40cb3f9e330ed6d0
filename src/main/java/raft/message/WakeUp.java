package raft.message;

import raft.PeerId;

/**
 * From a quiesced follower that woke for a reason other than its leader (a vote request, a client's
 * read or proposal, a report that the leader's node is unreachable): it asks the leader to resume
 * heartbeats. If the leader is alive they arrive before the follower's election timer fires, so a
 * woken group elects no new leader (TiKV's MsgRegionWakeUp). No answer is expected.
 */
public record WakeUp(long term, PeerId from, PeerId to) implements RaftMessage {

  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "WakeUp " + from + "->" + to + " term " + term;
  }
}
