package hosting;

import akka.actor.typed.Behavior;
import java.util.Objects;
import java.util.function.Function;

/**
 * One node hosts replicas of several services (the controller's group, shard groups) under the one
 * entity type: this factory picks each replica's factory by its group.
 */
public record GroupFactories(Function<ReplicaKey, ReplicaFactory> byKey) implements ReplicaFactory {
  public GroupFactories {
    Objects.requireNonNull(byKey, "byKey");
  }

  @Override
  public Behavior<?> create(HostedReplica replica) {
    return byKey.apply(replica.key()).create(replica);
  }

  @Override
  public String childName(ReplicaKey key) {
    return byKey.apply(key).childName(key);
  }

  @Override
  public String journalPluginId(ReplicaKey key) {
    return byKey.apply(key).journalPluginId(key);
  }
}
