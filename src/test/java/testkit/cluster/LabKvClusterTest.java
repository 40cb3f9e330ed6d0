package testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.rsm.Envelope;
import testkit.SeedExtension;

/** The kvraft tester's client RPCs keep labrpc's promises (lab-scenarios.md §1.1, §11). */
@ExtendWith(SeedExtension.class)
class LabKvClusterTest {

  @Test
  void aCallToAServerTheClerkCannotReachFailsWithin100Ms(long seed) {
    try (LabKvCluster cfg = LabKvCluster.make(3, false, -1, seed)) {
      LabKvClerk ck = cfg.makeClient(); // no ends enabled
      long t0 = cfg.now();
      assertNull(cfg.call(ck, 0, new Envelope<>(1, 1, new KvCommand.Put("k", "v"))));
      assertTrue(cfg.now() - t0 < 100, "took " + (cfg.now() - t0) + " ms");
    }
  }

  @Test
  void aServerKilledWhileHandlingNeverAnswersAndTheCallFailsWithinAPoll(long seed) {
    try (LabKvCluster cfg = LabKvCluster.make(3, false, -1, seed)) {
      LabKvClerk ck = cfg.makeClient(cfg.all());
      ck.put("a", "1"); // a leader exists
      int leader = cfg.leader().orElseThrow();
      int[] others = java.util.stream.IntStream.range(0, 3).filter(i -> i != leader).toArray();
      cfg.partition(new int[] {leader}, others);
      KvReply[] reply = {KvReply.BUSY};
      LabProcesses.Proc p = cfg.go("call", () -> reply[0] = cfg.call(ck, leader,
          new Envelope<>(1, 1, new KvCommand.Put("k", "v"))));
      cfg.sleep(500);
      assertFalse(p.done(), "a leader cut off from its peers answered a write");
      cfg.shutdownServer(leader);
      cfg.sleep(100);
      assertTrue(p.done(), "the call to a killed server did not fail within labrpc's 100 ms poll");
      assertNull(reply[0]);
    }
  }

  @Test
  void aRestartedServerRecoversItsStateFromItsSnapshotAndLog(long seed) {
    try (LabKvCluster cfg = LabKvCluster.make(3, false, 200, seed)) {
      LabKvClerk ck = cfg.makeClient(cfg.all());
      for (int i = 0; i < 30; i++) ck.append("k", "x" + i);
      assertTrue(cfg.snapshotSize() > 0, "maxraftstate 200 should have forced snapshots");
      for (int i = 0; i < 3; i++) cfg.shutdownServer(i);
      for (int i = 0; i < 3; i++) cfg.startServer(i);
      cfg.connectAll();
      StringBuilder want = new StringBuilder();
      for (int i = 0; i < 30; i++) want.append("x").append(i);
      assertEquals(want.toString(), ck.get("k"));
    }
  }
}
