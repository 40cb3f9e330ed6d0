package testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import testkit.SeedExtension;
import testkit.sim.LabNetwork;

/** The tester catches what the lab's tester catches: bad applies fail the test at the next check. */
@ExtendWith(SeedExtension.class)
class LabRaftClusterTest {
  private static LogEntry entry(long index, Object cmd) {
    return new LogEntry(index, 1, LabRaft.encode(cmd));
  }

  @Test
  void aDivergentCommitIsFatal(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, false, seed)) {
      assertEquals(1, cfg.one(101, 3, false));
      cfg.disconnect(0);
      assertEquals(2, cfg.one(102, 2, false));
      // server 0 (which never saw index 2) now applies a different command there
      cfg.applierFor(0).applied(LabNetwork.id(0), entry(2, 999));
      AssertionError e = assertThrows(AssertionError.class, () -> cfg.nCommitted(2));
      assertTrue(e.getMessage().startsWith("commit index=2 server=0 999 != server="), e.getMessage());
    }
  }

  @Test
  void anOutOfOrderApplyIsFatal(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, false, seed)) {
      cfg.one(101, 3, false);
      cfg.applierFor(1).applied(LabNetwork.id(1), entry(3, 103));
      AssertionError e = assertThrows(AssertionError.class, () -> cfg.sleep(10));
      assertEquals("server 1 apply out of order, expected index 2, got 3", e.getMessage());
    }
  }

  @Test
  void aSnapshotThatDisagreesWithItsIndexIsFatal(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, true, seed)) {
      cfg.one(101, 3, false);
      List<Object> xlog = new ArrayList<>();
      xlog.add(null);
      xlog.add(101);
      Snapshot snap = new Snapshot(new SnapshotMeta(2, 1), LabRaft.encodeSnapshot(1, xlog));
      cfg.applierFor(2).snapshotInstalled(LabNetwork.id(2), snap);
      AssertionError e = assertThrows(AssertionError.class, () -> cfg.nCommitted(1));
      assertEquals("server 2 snapshot doesn't match m.SnapshotIndex", e.getMessage());
    }
  }

  @Test
  void theTesterSnapshotsEveryTenEntriesAndKeepsTheLogSmall(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, true, seed)) {
      for (int i = 1; i <= 25; i++) cfg.one(i, 3, true);
      cfg.sleep(500);
      for (int i = 0; i < 3; i++) {
        assertEquals(19, cfg.net().peer(i).storage().snapshot().meta().index(), "server " + i);
      }
      assertTrue(cfg.logSize() < LabRaftCluster.MAX_LOG_SIZE);
    }
  }

  @Test
  void theVirtualTimeLimitIsEnforced(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, false, seed)) {
      AssertionError e = assertThrows(AssertionError.class, () -> cfg.sleep(LabRaft.TEST_LIMIT_MILLIS + 1));
      assertTrue(e.getMessage().startsWith("test took longer than 120 seconds"), e.getMessage());
    }
  }
}
