package node;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import hosting.ReplicaFactory;
import hosting.ReplicaHosting;

/**
 * The user guardian of a sharded node: starts this node's region of the {@code raft-replica}
 * entity type, whose entities run the controller's and the shard groups' replicas placed here
 * ({@link NodePlacement}) by their group's factory; {@code started} completes once it can be addressed. The replicas are started by the bootstrap, by
 * Raft traffic and by the node's {@link hosting.ReplicaWaker}, not here.
 */
final class ShardedGuardian {
  private ShardedGuardian() {}

  static Behavior<Void> create(NodePlacement placement, java.util.function.Function<akka.actor.typed.ActorSystem<?>,
      ReplicaFactory> factories, java.util.concurrent.CompletableFuture<Void> started) {
    return Behaviors.setup(ctx -> {
      ReplicaHosting.initSharding(ctx.getSystem(), placement, factories.apply(ctx.getSystem()));
      started.complete(null); // entity refs may be made from now on
      return Behaviors.empty();
    });
  }
}
