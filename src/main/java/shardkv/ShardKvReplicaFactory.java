package shardkv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import hosting.HostedReplica;
import hosting.ReplicaFactory;
import hosting.ReplicaKey;
import java.util.function.Function;
import raft.GroupId;
import raft.RaftConfig;
import raft.peer.PeerMetrics;
import raft.peer.PeerSettings;
import raft.rsm.ReplicatedStateMachine;
import shardctrl.ShardCtrlClient;

/**
 * Hosts a shard group's server on Cluster Sharding ({@link hosting.ReplicaHosting}): a {@link
 * ShardKvServer} whose Raft peer talks through the sharded transport and whose clients and fellow
 * groups reach it by entity id ({@link hosting.ServiceRefs}).
 *
 * @param settings the group's settings (its gid, mapping, ...) by Raft group id
 * @param controller the shard controller's client on this node
 * @param resolver server names in configurations (entity ids) to refs
 * @param peerMetrics where each replica's Raft peer reports its journal writes and snapshots
 * @param shardMetrics where each replica reports its shards in migration
 */
public record ShardKvReplicaFactory(Function<GroupId, ShardKvSettings> settings, RaftConfig raft, PeerSettings peer,
    ShardCtrlClient controller, Function<String, ActorRef<ShardKvServer.Command>> resolver,
    PeerMetrics.Factory peerMetrics, ShardKvMetrics.Factory shardMetrics) implements ReplicaFactory {

  /** Without metrics. */
  public ShardKvReplicaFactory(Function<GroupId, ShardKvSettings> settings, RaftConfig raft, PeerSettings peer,
      ShardCtrlClient controller, Function<String, ActorRef<ShardKvServer.Command>> resolver) {
    this(settings, raft, peer, controller, resolver, PeerMetrics.Factory.NOOP, ShardKvMetrics.Factory.NOOP);
  }

  @Override
  public Behavior<?> create(HostedReplica r) {
    ReplicatedStateMachine.PeerSpec spec = r.peerSpec(raft, peer, peerMetrics);
    ShardKvMetrics metrics = shardMetrics.shardMetrics(r.key().group(), r.key().replica());
    ShardKvSettings s = settings.apply(r.key().group());
    return Behaviors.<ShardKvServer.Command>setup(ctx -> {
      r.serviceStarted().accept(ctx.getSelf());
      return ShardKvServer.create(spec, s, controller, resolver, metrics);
    });
  }

  @Override
  public String childName(ReplicaKey key) {
    return ShardKvServer.actorName(key.group(), key.replica());
  }
}
