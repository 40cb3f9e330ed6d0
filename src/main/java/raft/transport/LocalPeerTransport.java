package raft.transport;

import akka.actor.typed.ActorRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import raft.peer.SnapshotStream;

/**
 * Peers of one group in the same JVM: a registry from peer id to actor ref. A message to a peer
 * that is not registered (not started yet, or stopped) is dropped, like a lost packet.
 */
public final class LocalPeerTransport implements PeerTransport {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPeerTransport.class);
  private final Map<PeerId, ActorRef<RaftPeer.Command>> peers = new ConcurrentHashMap<>();

  /** Routes messages for {@code id} to {@code ref} (replacing an earlier incarnation). */
  public void register(PeerId id, ActorRef<RaftPeer.Command> ref) {
    peers.put(id, ref);
  }

  /** Stops routing to {@code id}; its messages are dropped from now on. */
  public void unregister(PeerId id) {
    peers.remove(id);
  }

  @Override
  public void send(RaftMessage message) {
    ActorRef<RaftPeer.Command> ref = peers.get(message.to());
    if (ref != null) ref.tell(new RaftPeer.Deliver(message));
    else if (LOG.isDebugEnabled()) LOG.debug("dropped {} (peer not registered)", message.describe());
  }

  @Override
  public boolean streamsSnapshots() {
    return true;
  }

  @Override
  public void send(SnapshotStream part) {
    ActorRef<RaftPeer.Command> ref = peers.get(part.to());
    if (ref != null) ref.tell(new RaftPeer.DeliverSnapshotStream(part));
    else if (LOG.isDebugEnabled()) LOG.debug("dropped {} (peer not registered)", part.describe());
  }

  @Override
  public Optional<ActorRef<RaftPeer.Command>> actorOf(PeerId peer) {
    return Optional.ofNullable(peers.get(peer));
  }
}
