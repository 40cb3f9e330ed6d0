package hosting;

import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;

/** Shard id = entity id: every replica is its own shard, so the allocation strategy places each one. */
final class OneEntityPerShard extends ShardingMessageExtractor<ShardingEnvelope<ReplicaEntity.Command>, ReplicaEntity.Command> {
  @Override
  public String entityId(ShardingEnvelope<ReplicaEntity.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public ReplicaEntity.Command unwrapMessage(ShardingEnvelope<ReplicaEntity.Command> envelope) {
    return envelope.message();
  }
}
