package shardctrl;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import hosting.HostedReplica;
import hosting.ReplicaFactory;
import hosting.ReplicaKey;
import raft.RaftConfig;
import raft.peer.PeerMetrics;
import raft.peer.PeerSettings;
import raft.rsm.ReplicatedStateMachine;

/**
 * Hosts a shard controller replica on Cluster Sharding ({@link hosting.ReplicaHosting}); clients
 * reach it by entity id through {@link hosting.ServiceRefs}; its peer reports to {@code metrics}.
 */
public record CtrlReplicaFactory(ShardCtrlSettings settings, RaftConfig raft, PeerSettings peer,
    PeerMetrics.Factory metrics) implements ReplicaFactory {

  /** Without metrics. */
  public CtrlReplicaFactory(ShardCtrlSettings settings, RaftConfig raft, PeerSettings peer) {
    this(settings, raft, peer, PeerMetrics.Factory.NOOP);
  }

  @Override
  public Behavior<?> create(HostedReplica r) {
    ReplicatedStateMachine.PeerSpec spec = r.peerSpec(raft, peer, metrics);
    return Behaviors.<ShardCtrlServer.Command>setup(ctx -> {
      r.serviceStarted().accept(ctx.getSelf());
      return ShardCtrlServer.create(spec, settings);
    });
  }

  @Override
  public String childName(ReplicaKey key) {
    return ShardCtrlServer.actorName(key.group(), key.replica());
  }
}
