package hosting;

import akka.actor.Address;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import raft.GroupId;
import raft.PeerId;

/**
 * A placement a test can change while the cluster runs (as the controller will), and that, unlike
 * {@link StaticPlacement}, does not check distinct nodes itself, so the strategy's own check is exercised.
 */
final class MutablePlacement implements Placement {
  private final Map<GroupId, Map<PeerId, Address>> groups = new ConcurrentHashMap<>();

  MutablePlacement place(ReplicaKey key, Address node) {
    groups.computeIfAbsent(key.group(), g -> new ConcurrentHashMap<>()).put(key.replica(), node);
    return this;
  }

  @Override
  public Set<GroupId> groups() {
    return Set.copyOf(groups.keySet());
  }

  @Override
  public Map<PeerId, Address> replicasOf(GroupId group) {
    return Map.copyOf(groups.getOrDefault(group, Map.of()));
  }
}
