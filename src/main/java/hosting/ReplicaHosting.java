package hosting;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.ShardCoordinator;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import raft.PeerId;
import raft.transport.PeerTransport;

/**
 * Hosting Raft replicas on Akka Cluster Sharding: one entity per (group, replica), entity id =
 * shard id = {@code <group>|<replica>}. Sharding addresses and starts the replicas; the
 * {@link Placement} alone decides where each lives ({@link PinnedAllocationStrategy}, never
 * rebalanced), automatic passivation is off and remember-entities is off (a {@link ReplicaWaker}
 * starts the local replicas), and the {@link ReplicaEntity} guard keeps a replica from ever running
 * empty under an id that existed. Every node of the cluster calls {@link #initSharding} once.
 */
public final class ReplicaHosting {
  private ReplicaHosting() {}

  public static final EntityTypeKey<ReplicaEntity.Command> TYPE_KEY =
      EntityTypeKey.create(ReplicaEntity.Command.class, "raft-replica");

  /**
   * Starts this node's shard region for replicas; call once per node, on every node, before
   * sending to any replica.
   *
   * @param placement where each replica lives (read on every allocation)
   * @param factory builds a replica's behaviour when it may run here
   * @return the region, to send {@link ShardingEnvelope}s to (or use {@link #entityRef})
   */
  public static ActorRef<ShardingEnvelope<ReplicaEntity.Command>> initSharding(ActorSystem<?> system, Placement placement,
      ReplicaFactory factory) {
    akka.cluster.Cluster classic = akka.cluster.Cluster.get(akka.actor.typed.javadsl.Adapter.toClassic(system));
    return initSharding(system, factory,
        new PinnedAllocationStrategy(() -> placement, PinnedAllocationStrategy.Members.of(classic)));
  }

  /** With any allocation strategy: tests use Akka's default to show the guard holds without pinning. */
  static ActorRef<ShardingEnvelope<ReplicaEntity.Command>> initSharding(ActorSystem<?> system, ReplicaFactory factory,
      ShardCoordinator.ShardAllocationStrategy strategy) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ClusterShardingSettings settings = ClusterShardingSettings.create(system)
        .withNoPassivationStrategy()
        .withRememberEntities(false);
    return sharding.init(Entity.of(TYPE_KEY, ctx -> {
          ReplicaKey key = ReplicaKey.parse(ctx.getEntityId()); // the strategy allocates only parseable ids
          return ReplicaEntity.create(key, factory, transport(system, key.group()));
        })
        .withMessageExtractor(new OneEntityPerShard())
        .withAllocationStrategy(strategy)
        .withSettings(settings));
  }

  /** The entity of {@code key}, wherever it lives. */
  public static EntityRef<ReplicaEntity.Command> entityRef(ActorSystem<?> system, ReplicaKey key) {
    return ClusterSharding.get(system).entityRefFor(TYPE_KEY, key.entityId());
  }

  /** Raft messages of {@code group} between hosted replicas, through sharding. */
  public static PeerTransport transport(ActorSystem<?> system, GroupId group) {
    return new ShardedPeerTransport(ClusterSharding.get(system), group);
  }

  /**
   * Creates one replica where it is placed: what a committed membership change does for the replica
   * it adds (a fresh id, never one that existed). The Create names the node, so an entity that
   * Sharding starts anywhere else refuses it.
   */
  public static CompletionStage<HostStatus> create(ActorSystem<?> system, ReplicaKey key, Address node,
      List<PeerId> voters, BirthCertificate.Cause cause, Duration timeout) {
    return entityRef(system, key).ask(
        (ActorRef<HostStatus> replyTo) -> new ReplicaEntity.Create(node.toString(), voters, cause, replyTo), timeout);
  }

  /**
   * The one-time bootstrap of a new group: creates every replica of {@code group} where
   * {@code placement} puts it, with all of them as the first voters. Run it once, when the group is
   * created (etcd's {@code initial-cluster-state=new}); a restart must never bootstrap again (a
   * replica that already exists answers Running and is left alone; one whose journal is lost
   * would be re-created empty, which is exactly what a bootstrap must not do to an existing group).
   */
  public static CompletionStage<List<HostStatus>> bootstrap(ActorSystem<?> system, GroupId group, Placement placement,
      Duration timeout) {
    Map<PeerId, Address> replicas = placement.replicasOf(group);
    if (replicas.isEmpty())
      return CompletableFuture.failedFuture(new IllegalArgumentException("group " + group + " has no placement"));
    List<PeerId> voters = new ArrayList<>(replicas.keySet());
    voters.sort(null);
    List<CompletableFuture<HostStatus>> answers = new ArrayList<>();
    for (PeerId r : voters)
      answers.add(create(system, new ReplicaKey(group, r), replicas.get(r), voters, BirthCertificate.Cause.BOOTSTRAP,
          timeout).toCompletableFuture());
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(v -> answers.stream().map(CompletableFuture::join).toList());
  }

  /** The status of {@code key}'s entity (starting it if it is not running). */
  public static CompletionStage<HostStatus> status(ActorSystem<?> system, ReplicaKey key, Duration timeout) {
    return entityRef(system, key).ask(ReplicaEntity.GetHostStatus::new, timeout);
  }

  /** This node's address, as placements name it. */
  public static Address selfNode(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }
}
