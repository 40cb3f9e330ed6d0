package raft.peer;

import java.util.Optional;
import raft.PeerId;
import raft.core.RaftRole;
import raft.message.Membership;
import wire.CborSerializable;

/**
 * Who belongs to the group as one peer sees it: the membership in force there (applied, so a
 * follower's view may trail the leader's by a change) and the entry that brought it.
 *
 * @param membershipIndex the index of the entry or snapshot that brought {@code membership}; 0 for
 *     the bootstrap membership
 * @param lastIndex this peer's last log index (a learner's is how far it has caught up)
 */
public record MembershipStatus(PeerId peer, RaftRole role, long term, Optional<PeerId> leader, Membership membership,
    long membershipIndex, long commitIndex, long lastIndex) implements CborSerializable {}
