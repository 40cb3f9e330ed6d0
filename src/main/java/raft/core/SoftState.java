package raft.core;

import java.util.Optional;
import raft.PeerId;

/**
 * The volatile part of a peer's state that its caller may act on (etcd's SoftState): its role and
 * the leader it knows. A {@link Ready} carries it when it changed, e.g. so that a leader that
 * stepped down (check-quorum, a higher term, its own removal) fails its waiting callers with NotLeader.
 */
public record SoftState(RaftRole role, Optional<PeerId> leader) {}
