package kvraft;

import org.junit.jupiter.api.extension.RegisterExtension;
import testkit.cluster.ActorKvCluster;
import testkit.cluster.LabActors;
import testkit.cluster.LabKv;

/**
 * Lab 4's scenarios ({@link KvRaftLab4Test}, the same methods) on the shipped actors: KvServer
 * (ReplicatedStateMachine over RaftPeer) with the production election timeouts and ticks, clerks on
 * AkkaKvClient, the in-memory journal, lossy and partitionable networks between the peers and
 * between clerks and servers, ManualTime ({@link ActorKvCluster}).
 */
class KvRaftLab4ActorsTest extends KvRaftLab4Test {
  @RegisterExtension
  static final LabActors ACTORS = new LabActors();

  @Override
  protected LabKv make(int nservers, boolean unreliable, int maxraftstate, long seed) {
    return ActorKvCluster.make(ACTORS.system(), nservers, unreliable, maxraftstate, seed);
  }
}
