package hosting;

import akka.actor.typed.ActorRef;
import java.util.List;
import java.util.function.Consumer;
import raft.PeerId;
import raft.RaftConfig;
import raft.peer.PeerMetrics;
import raft.message.Membership;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.PeerTransport;

/**
 * What a {@link ReplicaFactory} gets to build one hosted replica.
 *
 * @param key the group and replica id
 * @param voters the group's voters when the replica was created (from its birth certificate): its
 *     own id among them for a bootstrap; without it for a replica added by a membership change,
 *     which starts as no voter of its first membership, never campaigns and waits for the leader
 * @param node this node's address, {@code akka://system@host:port}
 * @param transport reaches the group's other replicas through Cluster Sharding
 * @param peerStarted must be called with the replica's {@link RaftPeer} once it is spawned (e.g.
 *     {@code ReplicatedStateMachine.PeerSpec.started}), so the entity can deliver Raft messages
 *     to it; safe to call from any actor
 * @param serviceStarted to be called with the actor that serves the replica's clients (e.g. a
 *     {@code ShardKvServer}), so the entity can hand it {@link ReplicaEntity.Serve} requests; a
 *     replica without clients of its own need not call it
 */
public record HostedReplica(ReplicaKey key, List<PeerId> voters, String node, PeerTransport transport,
    Consumer<ActorRef<RaftPeer.Command>> peerStarted, Consumer<ActorRef<?>> serviceStarted) {
  public HostedReplica {
    voters = List.copyOf(voters);
  }

  /** How a service (a {@code ReplicatedStateMachine}) starts this replica's Raft peer: over the sharded transport, announced to the entity. */
  public ReplicatedStateMachine.PeerSpec peerSpec(RaftConfig raft, PeerSettings peer) {
    return peerSpec(raft, peer, PeerMetrics.Factory.NOOP);
  }

  /** As above, the peer reporting its journal writes and snapshots to {@code metrics}' series for this replica. */
  public ReplicatedStateMachine.PeerSpec peerSpec(RaftConfig raft, PeerSettings peer, PeerMetrics.Factory metrics) {
    return new ReplicatedStateMachine.PeerSpec(key.group(), key.replica(), applied -> RaftPeer.create(key.group(),
        key.replica(), Membership.ofVoters(voters), raft, peer, transport, applied, metrics.of(key.group(), key.replica())),
        peerStarted);
  }
}
