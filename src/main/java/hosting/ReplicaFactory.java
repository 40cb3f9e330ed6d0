package hosting;

import akka.actor.typed.Behavior;

/**
 * Builds the behaviour of one hosted replica (a Raft peer and its service, e.g. a
 * {@code kvraft.KvServer} or a shard group's server) from plain arguments; the entity spawns it as
 * its only child once the replica may run on this node. The behaviour knows nothing of sharding.
 */
public interface ReplicaFactory {
  /** The replica's behaviour; it must hand its RaftPeer to {@link HostedReplica#peerStarted}. */
  Behavior<?> create(HostedReplica replica);

  /** Name of the child actor (e.g. {@code KvServer.actorName(group, peer)} for receptionist lookups). */
  default String childName(ReplicaKey key) {
    return "replica";
  }

  /**
   * The journal plugin the replica's RaftPeer writes to (empty: {@code akka.persistence.journal.plugin}).
   * The birth certificate goes to the same plugin, so a lost journal is a lost certificate.
   */
  default String journalPluginId(ReplicaKey key) {
    return "";
  }
}
