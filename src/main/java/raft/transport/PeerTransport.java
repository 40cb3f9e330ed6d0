package raft.transport;

import akka.actor.typed.ActorRef;
import java.util.Optional;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import raft.peer.SnapshotStream;

/**
 * How a peer's outgoing Raft messages reach the addressee ({@code message.to()}). Delivery is
 * best effort: Raft tolerates lost, duplicated and reordered messages, so an implementation may
 * drop a message it cannot deliver. Also the seam where tests cut the network.
 * Implementations must be thread-safe: peers of one JVM may share one.
 *
 * <p>A transport that can also carry the peer layer's {@link SnapshotStream} says so with
 * {@link #streamsSnapshots()}: its peers then send a snapshot as chunks (any size crosses, each
 * message stays small); over any other transport an InstallSnapshot travels whole.
 */
@FunctionalInterface
public interface PeerTransport {
  void send(RaftMessage message);

  /** True if {@link #send(SnapshotStream)} delivers; the peers then stream their snapshots. */
  default boolean streamsSnapshots() {
    return false;
  }

  /**
   * The actor of {@code peer}, where the transport knows it: a quiesced follower watches its leader's
   * (DeathWatch), so that the leader's death or its node's loss wakes it. Empty: no such watch.
   */
  default Optional<ActorRef<RaftPeer.Command>> actorOf(PeerId peer) {
    return Optional.empty();
  }

  /** Delivers a snapshot chunk or its acknowledgement to {@code part.to()}, best effort. */
  default void send(SnapshotStream part) {
    throw new IllegalStateException(getClass().getName() + " carries whole snapshots: streamsSnapshots() is false, "
        + "so no peer sends it " + part.describe());
  }
}
