package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.cluster.LabActors;

/**
 * A group whose first-named server is down must not cost every call an attempt timeout: the shipped
 * client and the group leaders' duties ask a group's servers in turn, and used to start at the first
 * one every time, so with it dead each Get waited an attempt timeout for nothing before reaching the leader (seen as
 * missChange5B taking 69 virtual seconds on the actors against 10 on the lab harness). On the actors
 * ({@link ActorShardCluster}), reliable network, virtual time.
 */
@ExtendWith(SeedExtension.class)
class ShardKvDeadServerTest {
  @RegisterExtension
  static final LabActors ACTORS = new LabActors();

  @Test
  void aDeadFirstServerCostsOneAttemptTimeoutNotOnePerCall(long seed) {
    try (LabShards cfg = ActorShardCluster.make(ACTORS.system(), false, -1, seed)) {
      LabShards.Clerk ck = cfg.makeClient();
      cfg.join(0);
      String[] keys = ShardKvLabTest.keys(10);
      for (String k : keys) ck.put(k, "v" + k);
      cfg.shutdownServer(0, 0);
      for (String k : keys) assertEquals("v" + k, ck.get(k)); // a new leader if s3 led; the clerk learns who answers
      long t0 = cfg.now();
      for (int round = 0; round < 3; round++) for (String k : keys) assertEquals("v" + k, ck.get(k));
      long took = cfg.now() - t0;
      // 30 Gets through the group's log take a few ms each; one attempt at the dead server is 250 ms.
      assertTrue(took < 1000, "30 Gets took " + took + " virtual ms with the group's first server down");
      LoggerFactory.getLogger(ShardKvDeadServerTest.class).info("30 Gets with the group's first server down: {} virtual ms", took);
      cfg.end();
    }
  }
}
