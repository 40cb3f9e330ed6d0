package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabKvClerk;
import testkit.cluster.LabKvCluster;
import testkit.cluster.LabKvCluster.Fault;

/**
 * The kvraft tester bites: the lab's scenarios, run against deliberately broken servers, fail
 * with the lab's own messages. Each broken run would pass without the fault (the same scenarios
 * pass in {@link KvRaftLab4Test}).
 */
@ExtendWith(SeedExtension.class)
class KvRaftLab4HarnessTest {

  /** Unreliable4A without duplicate detection: retried Appends land twice, and the clients see it. */
  @Test
  void retriedAppendsAppliedTwiceAreCaught(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(5, true, -1, Fault.NO_DUPLICATE_DETECTION, seed)) {
      AssertionError e = assertThrows(AssertionError.class,
          () -> KvLabScenarios.genericTest(cfg, "4A", 5, true, false, false, -1, false));
      assertTrue(e.getMessage().contains("get wrong value") || e.getMessage().contains("duplicate element"),
          e.getMessage());
    }
  }

  /** With random keys there is no per-client check: the linearizability check alone must catch duplicates. */
  @Test
  void duplicatesAreCaughtByTheLinearizabilityCheck(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(5, true, -1, Fault.NO_DUPLICATE_DETECTION, seed)) {
      AssertionError e = assertThrows(AssertionError.class,
          () -> KvLabScenarios.genericTest(cfg, "4A", 5, true, false, false, -1, true));
      assertTrue(e.getMessage().startsWith("history is not linearizable"), e.getMessage());
    }
  }

  /** OnePartition4A with a leader that reads locally: the old leader in the minority answers a Get. */
  @Test
  void readsWithoutTheLogAreCaught(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(5, false, -1, Fault.LOCAL_READS, seed)) {
      AssertionError e = assertThrows(AssertionError.class, () -> KvLabScenarios.onePartition(cfg));
      assertEquals("Get in minority completed ==> expected: <false> but was: <true>", e.getMessage());
    }
  }

  /** A stale read served locally is not linearizable: the checker flags it on a hand-made history. */
  @Test
  void staleLocalReadBreaksTheHistory(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(5, false, -1, Fault.LOCAL_READS, seed)) {
      KvLabScenarios.OpLog log = new KvLabScenarios.OpLog();
      LabKvClerk ck = cfg.makeClient(cfg.all());
      KvLabScenarios.put(cfg, ck, "k", "old", log, 0);
      int[][] p = cfg.makePartition();
      cfg.partition(p[0], p[1]);
      LabKvClerk majority = cfg.makeClient(p[0]);
      LabKvClerk minority = cfg.makeClient(p[1][p[1].length - 1]); // only the old leader
      KvLabScenarios.put(cfg, majority, "k", "new", log, 1);
      String v = KvLabScenarios.get(cfg, minority, "k", log, 2);
      assertEquals("old", v, "the faulty old leader should have answered from its stale state");
      AssertionError e = assertThrows(AssertionError.class,
          () -> testkit.linearizability.Linearizability.assertLinearizable(
              testkit.linearizability.KvModel.lab(), log.read()));
      assertTrue(e.getMessage().startsWith("history is not linearizable"), e.getMessage());
    }
  }

  /** SnapshotRecover4B with a server that never snapshots: the 8 x maxraftstate bound catches it. */
  @Test
  void aServerThatNeverSnapshotsIsCaught(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(5, false, 1000, Fault.NO_SNAPSHOTS, seed)) {
      AssertionError e = assertThrows(AssertionError.class,
          () -> KvLabScenarios.genericTest(cfg, "4B", 1, false, true, false, 1000, false));
      assertTrue(e.getMessage().startsWith("logs were not trimmed"), e.getMessage());
    }
  }

  /** Speed4A with a server that only proposes on tick boundaries: the 33 ms/op bound catches it. */
  @Test
  void aServerThatWaitsForTheNextTickIsTooSlow(long seed) {
    try (LabKvCluster cfg = LabKvCluster.withFault(3, false, -1, Fault.PROPOSE_ON_TICK, seed)) {
      AssertionError e = assertThrows(AssertionError.class, () -> KvLabScenarios.genericTestSpeed(cfg, "4A"));
      assertTrue(e.getMessage().startsWith("Operations completed too slowly"), e.getMessage());
    }
  }
}
