package raft.core;

import java.util.HashMap;
import java.util.Map;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;

/** A candidate asks every peer for its vote and wins with a majority (§5.2). */
final class CandidateRole implements Role {
  private final Map<PeerId, Boolean> votes = new HashMap<>();

  @Override
  public RaftRole kind() {
    return RaftRole.CANDIDATE;
  }

  void campaign(RaftNode n) {
    votes.put(n.id(), true);
    if (countVotes(true) >= Quorum.majority(n.voters().size())) {
      n.becomeLeader();
      return;
    }
    for (PeerId p : n.others()) {
      n.send(new RequestVote(n.term(), n.id(), p, n.log.lastIndex(), n.log.lastTerm()));
    }
  }

  @Override
  public void tick(RaftNode n) {
    if (n.electionTimerFired()) n.becomeCandidate();
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (m instanceof RequestVoteResponse r) onVote(n, r);
    else if (m instanceof RequestVote r) n.handleRequestVote(r);
    else if (FollowerRole.isFromLeader(m)) {
      // Someone won this term: follow it and handle the message as a follower.
      n.becomeFollower(n.term(), java.util.Optional.of(m.from()));
      n.step(m);
    }
    // Other responses belong to an earlier role in this term: nothing to do.
  }

  private void onVote(RaftNode n, RequestVoteResponse r) {
    votes.putIfAbsent(r.from(), r.granted());
    int majority = Quorum.majority(n.voters().size());
    n.logger().debug(n.term(), n.id() + " received " + (r.granted() ? "vote" : "rejection") + " from " + r.from()
        + " [" + countVotes(true) + " for, " + countVotes(false) + " against]");
    if (countVotes(true) >= majority) n.becomeLeader();
    else if (countVotes(false) >= majority) n.becomeFollower(n.term(), java.util.Optional.empty());
  }

  private int countVotes(boolean granted) {
    return (int) votes.values().stream().filter(v -> v == granted).count();
  }
}
