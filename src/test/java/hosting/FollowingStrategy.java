package hosting;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * What Akka's {@code ExternalShardAllocationStrategy} does, as a test double: allocate to the
 * placement's node if it has a region, otherwise to the requester; rebalance every shard that is not
 * where the placement says. It moves replicas between nodes, which is what the guard must survive.
 */
final class FollowingStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
  private final Supplier<Placement> placement;
  private final Address self;

  FollowingStrategy(Supplier<Placement> placement, Address self) {
    this.placement = placement;
    this.self = self;
  }

  private Address nodeOf(ActorRef region) {
    Address a = region.path().address();
    return a.hasGlobalScope() ? a : self;
  }

  private Optional<ActorRef> placed(String shard, Map<ActorRef, IndexedSeq<String>> current) {
    Optional<Address> node = placement.get().nodeOf(ReplicaKey.parse(shard));
    return current.keySet().stream().filter(r -> node.isPresent() && nodeOf(r).equals(node.get())).findFirst();
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    return Futures.successful(placed(shardId, current).orElse(requester));
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    Set<String> moving = new HashSet<>();
    current.forEach((region, shards) -> shards.foreach(s -> {
      Optional<ActorRef> target = placed(s, current);
      if (target.isPresent() && !target.get().equals(region) && !inProgress.contains(s)) moving.add(s);
      return null;
    }));
    return Futures.successful(moving);
  }
}
