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
 */
public record ShardKvReplicaFactory(Function<GroupId, ShardKvSettings> settings, RaftConfig raft, PeerSettings peer,
    ShardCtrlClient controller, Function<String, ActorRef<ShardKvServer.Command>> resolver) implements ReplicaFactory {

  @Override
  public Behavior<?> create(HostedReplica r) {
    ReplicatedStateMachine.PeerSpec spec = r.peerSpec(raft, peer);
    ShardKvSettings s = settings.apply(r.key().group());
    return Behaviors.<ShardKvServer.Command>setup(ctx -> {
      r.serviceStarted().accept(ctx.getSelf());
      return ShardKvServer.create(spec, s, controller, resolver);
    });
  }

  @Override
  public String childName(ReplicaKey key) {
    return ShardKvServer.actorName(key.group(), key.replica());
  }
}
