package raft.core;

/**
 * A linearizable read the core released (etcd's ReadState): the read {@code id} the caller passed
 * to {@link RaftNode#readIndex(long)} may be served from the local state machine once it has
 * applied up to {@code index}. The leader held {@code index} as its commit index after the read
 * arrived, and a quorum confirmed its leadership after that, so no write acknowledged before the
 * read was asked for lies beyond it.
 */
public record ReadState(long id, long index) {}
