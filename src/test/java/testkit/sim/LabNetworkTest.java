package testkit.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabRaftCluster;

/** The lab network's own promises: replay by seed, no traffic across cuts, no zombie deliveries. */
@ExtendWith(SeedExtension.class)
class LabNetworkTest {
  private static String run(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(5, true, false, seed)) {
      int leader = cfg.checkOneLeader();
      long index = cfg.one(cfg.rand().nextInt(1000), 5, true);
      cfg.disconnect(leader);
      cfg.one(7, 4, true);
      return leader + " " + index + " " + cfg.rpcTotal() + " " + cfg.bytesTotal() + " " + cfg.now();
    }
  }

  @Test
  void theSameSeedReplaysTheSameRun(long seed) {
    assertEquals(run(seed), run(seed));
  }

  @Test
  void nothingCrossesADisconnectedNetwork(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, false, false, seed)) {
      cfg.checkOneLeader();
      for (int i = 0; i < 3; i++) cfg.disconnect(i);
      cfg.sleep(500); // let anything already in flight land or be dropped
      long rpcs = cfg.rpcTotal();
      long bytes = cfg.bytesTotal();
      cfg.sleep(5000);
      assertEquals(rpcs, cfg.rpcTotal(), "requests delivered across a cut");
      assertEquals(bytes, cfg.bytesTotal(), "bytes delivered across a cut");
    }
  }

  @Test
  void aCrashedIncarnationNeverReachesItsSuccessor(long seed) {
    try (LabRaftCluster cfg = LabRaftCluster.make(3, true, false, seed)) {
      cfg.net().setLongReordering(true); // keep many responses in flight across the restart
      List<LabNetwork.Delivery> toVictim = new ArrayList<>();
      int leader = cfg.checkOneLeader(); // the victim: it receives responses, which long reordering delays
      cfg.net().setTrace(d -> {
        if (d.to() == leader) toVictim.add(d);
      });
      for (int k = 0; k < 20; k++) cfg.start(leader, k);
      cfg.sleep(300); // long-reordered responses to the leader are now in flight
      cfg.start1(leader);
      int successor = cfg.net().incarnation(leader);
      long restartedAt = cfg.now();
      toVictim.clear();
      cfg.connect(leader);
      cfg.sleep(3000);
      assertTrue(!toVictim.isEmpty(), "the restarted server heard nothing");
      long stale = toVictim.stream().filter(d -> d.sentAt() < restartedAt).count();
      assertEquals(0, stale, "messages sent to the crashed incarnation reached its successor");
      for (LabNetwork.Delivery d : toVictim) assertEquals(successor, d.toIncarnation(), d.message().describe());
    }
  }
}
