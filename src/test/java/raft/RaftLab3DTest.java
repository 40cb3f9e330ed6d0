package raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabRaft;
import testkit.cluster.LabRaftCluster;

/**
 * Lab 3D (log compaction), test_test.go's TestSnapshotBasic3D .. TestSnapshotInit3D, in virtual
 * time. The cluster runs the lab's snapshotting applier: every 10th entry it calls Snapshot.
 */
@ExtendWith(SeedExtension.class)
class RaftLab3DTest {
  /** The cluster the scenarios run on: the pure core on the simulated network; {@link RaftLab3DActorsTest} runs them on the actors. */
  LabRaft make(int n, boolean unreliable, boolean snapshot, long seed) {
    return LabRaftCluster.make(n, unreliable, snapshot, seed);
  }

  private static int randInt(LabRaft cfg) {
    return cfg.rand().nextInt(Integer.MAX_VALUE);
  }

  private void snapcommon(long seed, String name, boolean disconnect, boolean reliable, boolean crash) {
    int iters = 30;
    int servers = 3;
    try (LabRaft cfg = make(servers, !reliable, true, seed)) {
      cfg.begin(name);
      cfg.one(randInt(cfg), servers, true);
      int leader1 = cfg.checkOneLeader();
      for (int i = 0; i < iters; i++) {
        int victim = (leader1 + 1) % servers;
        int sender = leader1;
        if (i % 3 == 1) {
          sender = (leader1 + 1) % servers;
          victim = leader1;
        }
        if (disconnect) {
          cfg.disconnect(victim);
          cfg.one(randInt(cfg), servers - 1, true);
        }
        if (crash) {
          cfg.crash1(victim);
          cfg.one(randInt(cfg), servers - 1, true);
        }
        // perhaps send enough to get a snapshot
        int nn = LabRaft.SNAPSHOT_INTERVAL / 2 + cfg.rand().nextInt(LabRaft.SNAPSHOT_INTERVAL);
        for (int k = 0; k < nn; k++) cfg.start(sender, randInt(cfg));
        // let applier threads catch up with the Start()'s
        if (!disconnect && !crash) {
          // make sure all followers have caught up, so that an InstallSnapshot isn't required for snapshotBasic3D
          cfg.one(randInt(cfg), servers, true);
        } else {
          cfg.one(randInt(cfg), servers - 1, true);
        }
        long size = cfg.logSize();
        assertTrue(size < LabRaft.MAX_LOG_SIZE, "Log size too large: " + size);
        if (disconnect) {
          // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up.
          cfg.connect(victim);
          cfg.one(randInt(cfg), servers, true);
          leader1 = cfg.checkOneLeader();
        }
        if (crash) {
          cfg.start1(victim);
          cfg.connect(victim);
          cfg.one(randInt(cfg), servers, true);
          leader1 = cfg.checkOneLeader();
        }
      }
      cfg.end();
    }
  }

  @Test
  void snapshotBasic3D(long seed) {
    snapcommon(seed, "Test (3D): snapshots basic", false, true, false);
  }

  @Test
  void snapshotInstall3D(long seed) {
    snapcommon(seed, "Test (3D): install snapshots (disconnect)", true, true, false);
  }

  @Test
  void snapshotInstallUnreliable3D(long seed) {
    snapcommon(seed, "Test (3D): install snapshots (disconnect+unreliable)", true, false, false);
  }

  @Test
  void snapshotInstallCrash3D(long seed) {
    snapcommon(seed, "Test (3D): install snapshots (crash)", false, true, true);
  }

  @Test
  void snapshotInstallUnCrash3D(long seed) {
    snapcommon(seed, "Test (3D): install snapshots (unreliable+crash)", false, false, true);
  }

  @Test
  void snapshotAllCrash3D(long seed) {
    int servers = 3;
    int iters = 5;
    try (LabRaft cfg = make(servers, false, true, seed)) {
      cfg.begin("Test (3D): crash and restart all servers");
      cfg.one(randInt(cfg), servers, true);
      for (int i = 0; i < iters; i++) {
        // perhaps enough to get a snapshot
        int nn = LabRaft.SNAPSHOT_INTERVAL / 2 + cfg.rand().nextInt(LabRaft.SNAPSHOT_INTERVAL);
        for (int k = 0; k < nn; k++) cfg.one(randInt(cfg), servers, true);
        long index1 = cfg.one(randInt(cfg), servers, true);
        // crash all
        for (int k = 0; k < servers; k++) cfg.crash1(k);
        // revive all
        for (int k = 0; k < servers; k++) {
          cfg.start1(k);
          cfg.connect(k);
        }
        long index2 = cfg.one(randInt(cfg), servers, true);
        assertTrue(index2 >= index1 + 1, "index decreased from " + index1 + " to " + index2);
      }
      cfg.end();
    }
  }

  @Test
  void snapshotInit3D(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, true, seed)) {
      cfg.begin("Test (3D): snapshot initialization after crash");
      cfg.one(randInt(cfg), servers, true);
      // enough ops to make a snapshot
      int nn = LabRaft.SNAPSHOT_INTERVAL + 1;
      for (int i = 0; i < nn; i++) cfg.one(randInt(cfg), servers, true);
      restartAll(cfg, servers);
      // a single op, to get something to be written back to persistent storage.
      cfg.one(randInt(cfg), servers, true);
      restartAll(cfg, servers);
      // do another op to trigger potential bug
      cfg.one(randInt(cfg), servers, true);
      cfg.end();
    }
  }

  private static void restartAll(LabRaft cfg, int servers) {
    for (int i = 0; i < servers; i++) cfg.crash1(i);
    for (int i = 0; i < servers; i++) {
      cfg.start1(i);
      cfg.connect(i);
    }
  }
}
