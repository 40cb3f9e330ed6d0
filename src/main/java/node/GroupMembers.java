package node;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import raft.PeerId;
import raft.core.RaftRole;
import raft.peer.MembershipStatus;

/**
 * The membership of a group as its replicas report it: each answering replica's view, in id
 * order. A follower's view may trail the leader's by a change, so {@link #view()} is the leader's
 * (the one of the highest term), else the most recent.
 */
public record GroupMembers(List<MembershipStatus> replicas) {
  public GroupMembers {
    replicas = replicas.stream().sorted(Comparator.comparing(MembershipStatus::peer)).toList();
  }

  /** The replica that leads (the highest term, if two think they do), if any answered. */
  public Optional<MembershipStatus> leader() {
    return replicas.stream().filter(s -> s.role() == RaftRole.LEADER).max(Comparator.comparingLong(MembershipStatus::term));
  }

  /** The view to trust: the leader's, else the one of the most recent membership entry. */
  public Optional<MembershipStatus> view() {
    return leader().or(() -> replicas.stream().max(Comparator.comparingLong(MembershipStatus::membershipIndex)
        .thenComparingLong(MembershipStatus::term)));
  }

  /** Whether {@code p} leads. */
  public boolean isLeader(PeerId p) {
    return leader().map(s -> s.peer().equals(p)).orElse(false);
  }
}
