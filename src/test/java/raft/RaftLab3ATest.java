package raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.cluster.LabRaft;
import testkit.cluster.LabRaftCluster;

/** Lab 3A (leader election), test_test.go's TestInitialElection3A.. TestManyElections3A, in virtual time. */
@ExtendWith(SeedExtension.class)
class RaftLab3ATest {
  private static final Logger LOG = LoggerFactory.getLogger(RaftLab3ATest.class);
  private static final long ELECTION = LabRaft.ELECTION_TIMEOUT;

  /** The cluster the scenarios run on: the pure core on the simulated network; {@link RaftLab3AActorsTest} runs them on the actors. */
  LabRaft make(int n, boolean unreliable, boolean snapshot, long seed) {
    return LabRaftCluster.make(n, unreliable, snapshot, seed);
  }

  @Test
  void initialElection3A(long seed) {
    try (LabRaft cfg = make(3, false, false, seed)) {
      cfg.begin("Test (3A): initial election");
      cfg.checkOneLeader();
      cfg.sleep(50);
      long term1 = cfg.checkTerms();
      assertTrue(term1 >= 1, "term is " + term1 + ", but should be at least 1");
      cfg.sleep(2 * ELECTION);
      long term2 = cfg.checkTerms();
      if (term1 != term2) LOG.warn("warning: term changed even though there were no failures");
      cfg.checkOneLeader();
      cfg.end();
    }
  }

  @Test
  void reElection3A(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3A): election after network failure");
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.checkOneLeader();
      cfg.connect(leader1);
      int leader2 = cfg.checkOneLeader();
      cfg.disconnect(leader2);
      cfg.disconnect((leader2 + 1) % servers);
      cfg.sleep(2 * ELECTION);
      cfg.checkNoLeader();
      cfg.connect((leader2 + 1) % servers);
      cfg.checkOneLeader();
      cfg.connect(leader2);
      cfg.checkOneLeader();
      cfg.end();
    }
  }

  @Test
  void manyElections3A(long seed) {
    int servers = 7;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3A): multiple elections");
      cfg.checkOneLeader();
      for (int ii = 1; ii < 10; ii++) {
        int i1 = cfg.rand().nextInt(servers);
        int i2 = cfg.rand().nextInt(servers);
        int i3 = cfg.rand().nextInt(servers);
        cfg.disconnect(i1);
        cfg.disconnect(i2);
        cfg.disconnect(i3);
        cfg.checkOneLeader();
        cfg.connect(i1);
        cfg.connect(i2);
        cfg.connect(i3);
      }
      cfg.checkOneLeader();
      cfg.end();
    }
  }
}
