package hosting;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import raft.GroupId;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.transport.PeerTransport;

/**
 * Raft messages of one group between hosted replicas, addressed through Cluster Sharding
 * ({@code <group>|<to>}): wherever the addressee lives, its node's region delivers it. Best effort,
 * as Raft expects: a message to a replica whose node is unreachable is lost, one to a replica not
 * yet allocated waits in the region's buffer, one to a refusing entity is dropped there.
 */
public final class ShardedPeerTransport implements PeerTransport {
  private final ClusterSharding sharding;
  private final GroupId group;
  private final Map<PeerId, EntityRef<ReplicaEntity.Command>> refs = new ConcurrentHashMap<>();

  public ShardedPeerTransport(ClusterSharding sharding, GroupId group) {
    this.sharding = sharding;
    this.group = group;
  }

  @Override
  public void send(RaftMessage message) {
    refs.computeIfAbsent(message.to(),
            to -> sharding.entityRefFor(ReplicaHosting.TYPE_KEY, new ReplicaKey(group, to).entityId()))
        .tell(new ReplicaEntity.Deliver(message));
  }
}
