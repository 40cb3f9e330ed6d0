package raft;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import testkit.cluster.ActorRaftCluster;
import testkit.cluster.LabActorSystem;
import testkit.cluster.LabRaft;

/**
 * Lab 3C's scenarios ({@link RaftLab3CTest}, the same methods) on the shipped actors: RaftPeer
 * with the production election timeouts and ticks, the in-memory journal, a lossy, partitionable
 * network, ManualTime ({@link ActorRaftCluster}).
 */
class RaftLab3CActorsTest extends RaftLab3CTest {
  private static LabActorSystem actors;

  @BeforeAll
  static void startActors() {
    actors = LabActorSystem.start();
  }

  @AfterAll
  static void stopActors() {
    actors.close();
  }

  @Override
  LabRaft make(int n, boolean unreliable, boolean snapshot, long seed) {
    return ActorRaftCluster.make(actors, n, unreliable, snapshot, seed);
  }
}
