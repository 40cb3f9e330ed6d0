package hosting;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import java.time.Duration;

/**
 * Wakes the replicas placed on this node, at start and then every {@code interval}: remember-entities
 * is off, so an entity starts when a message reaches it, and this is the message. (Raft traffic
 * from the rest of the group wakes a replica as well; the waker covers a group that is all down.)
 * Waking a replica that may not run here only makes its entity say so again.
 */
public final class ReplicaWaker {
  private ReplicaWaker() {}

  private enum Tick { INSTANCE }

  public static Behavior<Void> create(Placement placement, Duration interval) {
    return Behaviors.<Tick>setup(ctx -> Behaviors.withTimers(timers -> {
      ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
      Address self = Cluster.get(ctx.getSystem()).selfMember().address();
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
      return Behaviors.receive(Tick.class)
          .onMessage(Tick.class, t -> {
            for (ReplicaKey key : placement.replicasOn(self))
              sharding.entityRefFor(ReplicaHosting.TYPE_KEY, key.entityId()).tell(ReplicaEntity.Wake.INSTANCE);
            return Behaviors.same();
          })
          .build();
    })).unsafeCast();
  }
}
