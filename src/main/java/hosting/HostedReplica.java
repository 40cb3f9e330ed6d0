package hosting;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.function.Consumer;
import raft.PeerId;
import raft.peer.RaftPeer;
import raft.transport.PeerTransport;

/**
 * What a {@link ReplicaFactory} gets to build one hosted replica.
 *
 * @param key the group and replica id
 * @param voters the group's voters when the replica was created (from its birth certificate)
 * @param node this node's address, {@code akka://system@host:port}
 * @param transport reaches the group's other replicas through Cluster Sharding
 * @param peerStarted must be called with the replica's {@link RaftPeer} once it is spawned (e.g.
 *     {@code ReplicatedStateMachine.PeerSpec.started}), so the entity can deliver Raft messages
 *     to it; safe to call from any actor
 */
public record HostedReplica(ReplicaKey key, List<PeerId> voters, String node, PeerTransport transport,
    Consumer<ActorRef<RaftPeer.Command>> peerStarted) {
  public HostedReplica {
    voters = List.copyOf(voters);
  }
}
