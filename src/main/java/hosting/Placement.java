package hosting;

import akka.actor.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import raft.GroupId;

/**
 * Where every replica lives: replica to node address ({@code akka://system@host:port}). The
 * allocation strategy asks it on every allocation, so an implementation backed by the shard
 * controller's latest configuration (cached through Watch) takes effect without a restart; for
 * now {@link StaticPlacement}. Implementations must be thread-safe and answer from memory (the
 * sharding coordinator calls them on its own thread).
 *
 * <p>Contract: replicas of one group are on distinct nodes. The allocation strategy refuses to
 * place a replica on a node that already hosts, or is named for, another replica of its group.
 */
public interface Placement {
  /** Every group this placement knows. */
  Set<GroupId> groups();

  /** The replicas of {@code group} and the node each lives on; empty for an unknown group. */
  Map<raft.PeerId, Address> replicasOf(GroupId group);

  /** The node {@code key} lives on, if it is placed. */
  default Optional<Address> nodeOf(ReplicaKey key) {
    return Optional.ofNullable(replicasOf(key.group()).get(key.replica()));
  }

  /** The replicas placed on {@code node}, sorted. */
  default List<ReplicaKey> replicasOn(Address node) {
    List<ReplicaKey> keys = new ArrayList<>();
    for (GroupId g : groups())
      replicasOf(g).forEach((replica, at) -> {
        if (at.equals(node)) keys.add(new ReplicaKey(g, replica));
      });
    keys.sort(null);
    return keys;
  }
}
