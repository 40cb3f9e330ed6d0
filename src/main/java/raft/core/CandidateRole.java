package raft.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;

/**
 * A candidate asks every voter for its vote and wins with a majority (§5.2); in joint consensus
 * with a majority of each half (§4.3).
 */
final class CandidateRole implements Role {
  private final Map<PeerId, Boolean> votes = new HashMap<>();
  /** Campaigning because the leader sent TimeoutNow: voters grant past their leader lease. */
  private final boolean transfer;

  CandidateRole(boolean transfer) {
    this.transfer = transfer;
  }

  @Override
  public RaftRole kind() {
    return RaftRole.CANDIDATE;
  }

  void campaign(RaftNode n) {
    votes.put(n.id(), true);
    if (Quorum.voteResult(n.membership(), votes) == Quorum.VoteResult.WON) {
      n.becomeLeader();
      return;
    }
    for (PeerId p : n.otherVoters()) {
      n.send(new RequestVote(n.term(), n.id(), p, n.log.lastIndex(), n.log.lastTerm(), transfer));
    }
  }

  @Override
  public void tick(RaftNode n) {
    if (n.electionTimerFired()) n.hup(false);
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (m instanceof RequestVoteResponse r) onVote(n, r);
    else if (m.isRequest() && !FollowerRole.isFromLeader(m)) n.handleVoteRequest(m);
    else if (FollowerRole.isFromLeader(m)) {
      // Someone won this term: follow it and handle the message as a follower.
      n.becomeFollower(n.term(), Optional.of(m.from()));
      n.step(m);
    }
    // Other responses belong to an earlier role in this term: nothing to do.
  }

  private void onVote(RaftNode n, RequestVoteResponse r) {
    votes.putIfAbsent(r.from(), r.granted());
    Quorum.VoteResult result = Quorum.voteResult(n.membership(), votes);
    // The counts stream over the votes: worth it only for a line that is on.
    if (n.logger().isDebugEnabled()) {
      n.logger().debug(n.term(), "{} received {} from {} [{} for, {} against]", n.id(),
          r.granted() ? "vote" : "rejection", r.from(), count(true), count(false));
    }
    if (result == Quorum.VoteResult.WON) n.becomeLeader();
    else if (result == Quorum.VoteResult.LOST) n.becomeFollower(n.term(), Optional.empty());
  }

  private long count(boolean granted) {
    return votes.values().stream().filter(v -> v == granted).count();
  }
}
