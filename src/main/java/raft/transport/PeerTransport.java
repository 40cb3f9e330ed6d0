package raft.transport;

import raft.message.RaftMessage;

/**
 * How a peer's outgoing Raft messages reach the addressee ({@code message.to()}). Delivery is
 * best effort: Raft tolerates lost, duplicated and reordered messages, so an implementation may
 * drop a message it cannot deliver. Also the seam where tests cut the network.
 * Implementations must be thread-safe: peers of one JVM may share one.
 */
@FunctionalInterface
public interface PeerTransport {
  void send(RaftMessage message);
}
