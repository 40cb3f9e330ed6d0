package hosting;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places each replica's shard (shard id = entity id = {@code <group>|<replica>}) only on the node
 * the {@link Placement} names, and never moves it: {@link #rebalance} always answers the empty set.
 *
 * <p>Why not Akka's {@code ExternalShardAllocationStrategy}: when the desired node is not a member,
 * when no location is known or when its ddata read times out, it allocates to the requesting region
 * (its log says "Allocating to requester"), and its rebalance moves shards; either starts a replica
 * on a node without its journal. Here every doubt is a refusal: a failed allocation is logged by the
 * coordinator and retried by the requesting region every {@code retry-interval} (2 s), with the
 * messages buffered meanwhile, so a replica whose node is down simply stays unreachable until the
 * node is back (which Raft tolerates: the other replicas keep a majority).
 *
 * <p>Refused: an entity id that is not a replica key, a replica without placement, a node that is
 * not Up or has no region yet, a placement that puts two replicas of one group on one node, and a
 * node that already hosts another replica of the same group (unless the placement of that group no
 * longer lists it: moved away and retired). Only the coordinator (on the oldest
 * node) calls this object; {@code self} maps its local region (an address without host and port).
 */
public final class PinnedAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(PinnedAllocationStrategy.class);

  /** A member's address and status, as this node sees it. */
  public interface Members {
    Address self();

    /** True if {@code node} is a member with status Up. */
    boolean isUp(Address node);

    static Members of(Cluster cluster) {
      return new Members() {
        @Override
        public Address self() {
          return cluster.selfAddress();
        }

        @Override
        public boolean isUp(Address node) {
          for (Member m : cluster.state().getMembers())
            if (m.address().equals(node)) return m.status() == MemberStatus.up();
          return false;
        }
      };
    }
  }

  private final Supplier<Placement> placement;
  private final Members members;
  /** The last refusal logged per shard, so a retry every 2 s does not repeat the same line. */
  private final Map<String, String> lastRefusal = new ConcurrentHashMap<>();

  /** @param placement read on every allocation, so a new placement applies to the next one */
  public PinnedAllocationStrategy(Supplier<Placement> placement, Members members) {
    this.placement = placement;
    this.members = members;
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    try {
      ActorRef region = choose(shardId, currentShardAllocations);
      lastRefusal.remove(shardId);
      LOG.info("replica {} allocated to its placed node {}", shardId, nodeOf(region));
      return Futures.successful(region);
    } catch (AllocationRefused e) {
      if (!e.getMessage().equals(lastRefusal.put(shardId, e.getMessage())))
        LOG.warn("{} (the requesting region retries every retry-interval; messages wait in its buffer)", e.getMessage());
      return Futures.failed(e);
    }
  }

  /** Never moves a shard: a replica changes node only by a Raft membership change and a new replica id. */
  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
      Set<String> rebalanceInProgress) {
    return Futures.successful(Set.of());
  }

  /** The region to host {@code shardId}; {@link AllocationRefused} says why there is none. */
  ActorRef choose(String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    ReplicaKey key;
    try {
      key = ReplicaKey.parse(shardId);
    } catch (IllegalArgumentException e) {
      throw new AllocationRefused("shard " + shardId + " refused: " + e.getMessage());
    }
    Placement p = placement.get();
    Optional<Address> wanted = p.nodeOf(key);
    if (wanted.isEmpty())
      throw new AllocationRefused("replica " + key + " has no placement; it is not started anywhere");
    Address node = wanted.get();
    p.replicasOf(key.group()).forEach((other, at) -> {
      if (!other.equals(key.replica()) && at.equals(node))
        throw new AllocationRefused("replica " + key + " refused: placement puts " + other + " of the same group on "
            + node + " too; replicas of one group must be on distinct nodes");
    });
    if (!members.isUp(node))
      throw new AllocationRefused("replica " + key + " waits: its node " + node + " is not an Up member");
    ActorRef target = null;
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : current.entrySet()) {
      if (!nodeOf(e.getKey()).equals(node)) continue;
      target = e.getKey();
      scala.collection.Iterator<String> shards = e.getValue().iterator();
      while (shards.hasNext()) {
        String s = shards.next();
        Optional<PeerId> sibling = siblingOf(key, s);
        // A replica its group's placement no longer lists was moved away and retired (it never runs
        // again), though its shard stays allocated: a later replica of the group may come here.
        if (sibling.isPresent() && p.groups().contains(key.group()) && !p.replicasOf(key.group()).containsKey(sibling.get()))
          continue;
        if (sibling.isPresent())
          throw new AllocationRefused("replica " + key + " refused: node " + node + " already hosts replica "
              + sibling.get() + " of the same group");
      }
    }
    if (target == null)
      throw new AllocationRefused("replica " + key + " waits: its node " + node + " has no shard region yet");
    return target;
  }

  /** The other replica of key's group that shard {@code s} is, if it is one. */
  private static Optional<PeerId> siblingOf(ReplicaKey key, String s) {
    try {
      ReplicaKey other = ReplicaKey.parse(s);
      return other.group().equals(key.group()) && !other.equals(key) ? Optional.of(other.replica()) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A region's node; a local region's address has no host and port, so it is this node. */
  private Address nodeOf(ActorRef region) {
    Address a = region.path().address();
    return a.hasGlobalScope() ? a : members.self();
  }

  /** Why a shard was not allocated now (the requesting region retries). */
  static final class AllocationRefused extends RuntimeException {
    AllocationRefused(String message) {
      super(message, null, false, false);
    }
  }
}
