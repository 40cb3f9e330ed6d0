package shardkv;

import org.junit.jupiter.api.extension.RegisterExtension;
import testkit.cluster.LabActors;

/**
 * Lab 5's 14 shardkv scenarios ({@link ShardKvLabTest}, the same methods) on the shipped actors:
 * ShardKvServer and ShardCtrlServer (ReplicatedStateMachine over RaftPeer) with the production
 * election timeouts, ticks and shard-group duties, clerks on AkkaShardKvClient and
 * AkkaShardCtrlClient, the in-memory journal, lossy networks between the peers and between
 * clerks, groups and the controller, ManualTime ({@link ActorShardCluster}).
 */
class ShardKvLab5ActorsTest extends ShardKvLabTest {
  @RegisterExtension
  static final LabActors ACTORS = new LabActors();

  @Override
  protected LabShards make(boolean unreliable, long maxRaftState, long seed) {
    return ActorShardCluster.make(ACTORS.system(), unreliable, maxRaftState, seed);
  }
}
