package raft.message;

import raft.PeerId;

/**
 * The leader's periodic "I am alive". Unlike an empty AppendEntries it carries no log position
 * to check, so it can never disturb a pipeline of in-flight appends; its commit is capped at what
 * the follower is known to hold. {@code readRound} (etcd's heartbeat context) names the latest
 * round of linearizable reads the leader is confirming its leadership for; 0 when none waits (and
 * then left off the wire, so heartbeats without reads keep their old encoding). {@code quiesce}:
 * the leader's last heartbeat before it goes quiet (see {@code RaftConfig.quiesceTicks}); a follower
 * that holds exactly the log up to {@code commit} stops its election timer (left off the wire when false).
 */
public record Heartbeat(long term, PeerId from, PeerId to, long commit, long readRound, boolean quiesce)
    implements RaftMessage {

  public Heartbeat(long term, PeerId from, PeerId to, long commit) {
    this(term, from, to, commit, 0, false);
  }

  public Heartbeat(long term, PeerId from, PeerId to, long commit, long readRound) {
    this(term, from, to, commit, readRound, false);
  }

  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    return "Heartbeat " + from + "->" + to + " term " + term + " commit " + commit
        + (readRound == 0 ? "" : " read round " + readRound) + (quiesce ? " quiesce" : "");
  }
}
