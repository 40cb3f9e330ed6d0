package raft.transport;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import raft.peer.SnapshotStream;

/**
 * Peers in other processes, reached over Akka remoting (Artery) at configured addresses: each
 * peer runs as {@code /user/<actorName(group, peer)>} in an ActorSystem at a known host:port.
 * The refs carry no incarnation uid, so a peer process that restarts on the same address is
 * reached again without reconfiguration; while it is down, messages are dropped.
 */
public final class RemotePeerTransport implements PeerTransport {
  private static final Logger LOG = LoggerFactory.getLogger(RemotePeerTransport.class);
  private final Map<PeerId, ActorRef<RaftPeer.Command>> peers;

  /**
   * @param system the local ActorSystem (its provider must be remote or cluster)
   * @param addresses peer id to {@code akka://system@host:port}, for every other peer of the group
   */
  public RemotePeerTransport(ActorSystem<?> system, GroupId group, Map<PeerId, String> addresses) {
    this(system, addresses, id -> actorName(group, id));
  }

  /**
   * Peers hosted below another actor (e.g. a service that spawns its peer as a child).
   *
   * @param pathUnderUser a peer's actor path below {@code /user/}, e.g. {@code kv-g1-p2/raft}
   */
  public RemotePeerTransport(ActorSystem<?> system, Map<PeerId, String> addresses,
      Function<PeerId, String> pathUnderUser) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    Map<PeerId, ActorRef<RaftPeer.Command>> refs = new HashMap<>();
    addresses.forEach((id, address) ->
        refs.put(id, resolver.resolveActorRef(address + "/user/" + pathUnderUser.apply(id))));
    this.peers = Map.copyOf(refs);
  }

  /** The name a peer actor is spawned under, so that others can address it. */
  public static String actorName(GroupId group, PeerId peer) {
    return "raft-" + Objects.requireNonNull(group) + "-" + Objects.requireNonNull(peer);
  }

  @Override
  public void send(RaftMessage message) {
    ActorRef<RaftPeer.Command> ref = peers.get(message.to());
    if (ref != null) ref.tell(new RaftPeer.Deliver(message));
    else LOG.warn("no address for {}; dropped {}", message.to(), message.describe());
  }

  @Override
  public boolean streamsSnapshots() {
    return true;
  }

  @Override
  public void send(SnapshotStream part) {
    ActorRef<RaftPeer.Command> ref = peers.get(part.to());
    if (ref != null) ref.tell(new RaftPeer.DeliverSnapshotStream(part));
    else LOG.warn("no address for {}; dropped {}", part.to(), part.describe());
  }

  @Override
  public Optional<ActorRef<RaftPeer.Command>> actorOf(PeerId peer) {
    return Optional.ofNullable(peers.get(peer));
  }
}
