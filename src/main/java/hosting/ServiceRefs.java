package hosting;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import wire.CborSerializable;

/**
 * Refs to the services of hosted replicas, by entity id ({@code <group>|<replica>}, what
 * configurations name a hosted server by): each is a small local actor that wraps what it gets in
 * {@link ReplicaEntity.Serve} and sends it through Cluster Sharding, so the name stays valid
 * wherever the replica runs and across its restarts. One forwarder per name and actor system,
 * made on first use.
 */
public final class ServiceRefs {
  private static final Map<ActorSystem<?>, Map<String, ActorRef<?>>> FORWARDERS = new ConcurrentHashMap<>();

  private ServiceRefs() {}

  /** Names (entity ids) to refs that reach the named replica's service, for services whose protocol is {@code T}. */
  public static <T extends CborSerializable> Function<String, ActorRef<T>> resolver(ActorSystem<?> system) {
    return name -> of(system, ReplicaKey.parse(name));
  }

  /** A ref that reaches {@code key}'s service. */
  @SuppressWarnings("unchecked")
  public static <T extends CborSerializable> ActorRef<T> of(ActorSystem<?> system, ReplicaKey key) {
    Map<String, ActorRef<?>> mine = FORWARDERS.computeIfAbsent(system, s -> {
      s.getWhenTerminated().thenRun(() -> FORWARDERS.remove(s));
      return new ConcurrentHashMap<>();
    });
    return (ActorRef<T>) mine.computeIfAbsent(key.entityId(), id -> system.systemActorOf(
        forwarder(ReplicaHosting.entityRef(system, key)), "serve-" + safeName(id), Props.empty()));
  }

  private static Behavior<CborSerializable> forwarder(EntityRef<ReplicaEntity.Command> entity) {
    return Behaviors.receiveMessage(m -> {
      entity.tell(new ReplicaEntity.Serve(m));
      return Behaviors.same();
    });
  }

  private static String safeName(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
  }
}
