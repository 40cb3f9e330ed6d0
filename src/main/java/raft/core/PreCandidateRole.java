package raft.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import raft.PeerId;
import raft.message.PreVote;
import raft.message.PreVoteResponse;
import raft.message.RaftMessage;

/**
 * Asks the voters whether they would elect it at term + 1, without raising its term (thesis
 * §9.6); with a (joint) majority of yes it becomes a real candidate. A peer cut off from the group
 * thus never raises the term and disrupts the leader when it comes back.
 */
final class PreCandidateRole implements Role {
  private final Map<PeerId, Boolean> votes = new HashMap<>();

  @Override
  public RaftRole kind() {
    return RaftRole.PRE_CANDIDATE;
  }

  void campaign(RaftNode n) {
    votes.put(n.id(), true);
    if (Quorum.voteResult(n.membership(), votes) == Quorum.VoteResult.WON) {
      n.becomeCandidate(false);
      return;
    }
    for (PeerId p : n.otherVoters()) {
      n.send(new PreVote(n.term() + 1, n.id(), p, n.log.lastIndex(), n.log.lastTerm()));
    }
  }

  @Override
  public void tick(RaftNode n) {
    if (n.electionTimerFired()) n.hup(false);
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (m instanceof PreVoteResponse r) {
      if (r.granted() && r.term() != n.term() + 1) return; // a grant for an earlier pre-campaign
      votes.putIfAbsent(r.from(), r.granted());
      Quorum.VoteResult result = Quorum.voteResult(n.membership(), votes);
      if (result == Quorum.VoteResult.WON) n.becomeCandidate(false);
      else if (result == Quorum.VoteResult.LOST) n.becomeFollower(n.term(), Optional.empty());
    } else if (FollowerRole.isFromLeader(m)) {
      n.becomeFollower(n.term(), Optional.of(m.from()));
      n.step(m);
    } else if (m.isRequest()) {
      n.handleVoteRequest(m);
    }
  }
}
