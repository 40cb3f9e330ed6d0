package raft;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabProcesses;
import testkit.cluster.LabRaft;
import testkit.cluster.LabRaftCluster;

/** Lab 3C (persistence), test_test.go's TestPersist13C .. TestUnreliableChurn3C, in virtual time. */
@ExtendWith(SeedExtension.class)
class RaftLab3CTest {
  private static final long ELECTION = LabRaft.ELECTION_TIMEOUT;

  /** The cluster the scenarios run on: the pure core on the simulated network; {@link RaftLab3CActorsTest} runs them on the actors. */
  LabRaft make(int n, boolean unreliable, boolean snapshot, long seed) {
    return LabRaftCluster.make(n, unreliable, snapshot, seed);
  }

  private static int randInt(LabRaft cfg) {
    return cfg.rand().nextInt(Integer.MAX_VALUE);
  }

  @Test
  void persist13C(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3C): basic persistence");
      cfg.one(11, servers, true);
      // crash and re-start all
      for (int i = 0; i < servers; i++) cfg.start1(i);
      for (int i = 0; i < servers; i++) {
        cfg.disconnect(i);
        cfg.connect(i);
      }
      cfg.one(12, servers, true);
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.start1(leader1);
      cfg.connect(leader1);
      cfg.one(13, servers, true);
      int leader2 = cfg.checkOneLeader();
      cfg.disconnect(leader2);
      cfg.one(14, servers - 1, true);
      cfg.start1(leader2);
      cfg.connect(leader2);
      cfg.wait(4, servers, -1); // wait for leader2 to join before killing i3
      int i3 = (cfg.checkOneLeader() + 1) % servers;
      cfg.disconnect(i3);
      cfg.one(15, servers - 1, true);
      cfg.start1(i3);
      cfg.connect(i3);
      cfg.one(16, servers, true);
      cfg.end();
    }
  }

  @Test
  void persist23C(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3C): more persistence");
      int index = 1;
      for (int iters = 0; iters < 5; iters++) {
        cfg.one(10 + index, servers, true);
        index++;
        int leader1 = cfg.checkOneLeader();
        cfg.disconnect((leader1 + 1) % servers);
        cfg.disconnect((leader1 + 2) % servers);
        cfg.one(10 + index, servers - 2, true);
        index++;
        cfg.disconnect((leader1 + 0) % servers);
        cfg.disconnect((leader1 + 3) % servers);
        cfg.disconnect((leader1 + 4) % servers);
        cfg.start1((leader1 + 1) % servers);
        cfg.start1((leader1 + 2) % servers);
        cfg.connect((leader1 + 1) % servers);
        cfg.connect((leader1 + 2) % servers);
        cfg.sleep(ELECTION);
        cfg.start1((leader1 + 3) % servers);
        cfg.connect((leader1 + 3) % servers);
        cfg.one(10 + index, servers - 2, true);
        index++;
        cfg.connect((leader1 + 4) % servers);
        cfg.connect((leader1 + 0) % servers);
      }
      cfg.one(1000, servers, true);
      cfg.end();
    }
  }

  @Test
  void persist33C(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3C): partitioned leader and one follower crash, leader restarts");
      cfg.one(101, 3, true);
      int leader = cfg.checkOneLeader();
      cfg.disconnect((leader + 2) % servers);
      cfg.one(102, 2, true);
      cfg.crash1((leader + 0) % servers);
      cfg.crash1((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.start1((leader + 0) % servers);
      cfg.connect((leader + 0) % servers);
      cfg.one(103, 2, true);
      cfg.start1((leader + 1) % servers);
      cfg.connect((leader + 1) % servers);
      cfg.one(104, servers, true);
      cfg.end();
    }
  }

  /** The lab's Figure 8 sleep: 10 % of the time up to half an election timeout, else 0–12 ms. */
  private static void figure8Sleep(LabRaft cfg) {
    if (cfg.rand().nextInt(1000) < 100) cfg.sleep(cfg.rand().nextLong(ELECTION / 2));
    else cfg.sleep(cfg.rand().nextLong(13));
  }

  @Test
  void figure83C(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3C): Figure 8");
      cfg.one(randInt(cfg), 1, true);
      int nup = servers;
      for (int iters = 0; iters < 1000; iters++) {
        int leader = -1;
        for (int i = 0; i < servers; i++) {
          if (cfg.alive(i) && cfg.start(i, randInt(cfg)).isLeader()) leader = i;
        }
        figure8Sleep(cfg);
        if (leader != -1) {
          cfg.crash1(leader);
          nup--;
        }
        if (nup < 3) {
          int s = cfg.rand().nextInt(servers);
          if (!cfg.alive(s)) {
            cfg.start1(s);
            cfg.connect(s);
            nup++;
          }
        }
      }
      for (int i = 0; i < servers; i++) {
        if (!cfg.alive(i)) {
          cfg.start1(i);
          cfg.connect(i);
        }
      }
      cfg.one(randInt(cfg), servers, true);
      cfg.end();
    }
  }

  @Test
  void unreliableAgree3C(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, true, false, seed)) {
      cfg.begin("Test (3C): unreliable agreement");
      List<LabProcesses.Proc> procs = new ArrayList<>();
      for (int iters = 1; iters < 50; iters++) {
        for (int j = 0; j < 4; j++) {
          int cmd = 100 * iters + j;
          procs.add(cfg.go("agree-" + cmd, () -> cfg.one(cmd, 1, true)));
        }
        cfg.one(iters, 1, true);
      }
      cfg.setReliable(true);
      cfg.join(procs);
      cfg.one(100, servers, true);
      cfg.end();
    }
  }

  @Test
  void figure8Unreliable3C(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, true, false, seed)) {
      cfg.begin("Test (3C): Figure 8 (unreliable)");
      cfg.one(cfg.rand().nextInt(10000), 1, true);
      int nup = servers;
      for (int iters = 0; iters < 1000; iters++) {
        if (iters == 200) cfg.setLongReordering(true);
        int leader = -1;
        for (int i = 0; i < servers; i++) {
          if (cfg.start(i, cfg.rand().nextInt(10000)).isLeader() && cfg.connected(i)) leader = i;
        }
        figure8Sleep(cfg);
        if (leader != -1 && cfg.rand().nextInt(1000) < ELECTION / 2) {
          cfg.disconnect(leader);
          nup--;
        }
        if (nup < 3) {
          int s = cfg.rand().nextInt(servers);
          if (!cfg.connected(s)) {
            cfg.connect(s);
            nup++;
          }
        }
      }
      for (int i = 0; i < servers; i++) if (!cfg.connected(i)) cfg.connect(i);
      // still unreliable, still long reordering: the lab never resets them here
      cfg.one(cfg.rand().nextInt(10000), servers, true);
      cfg.end();
    }
  }

  @Test
  void reliableChurn3C(long seed) {
    internalChurn(seed, false);
  }

  @Test
  void unreliableChurn3C(long seed) {
    internalChurn(seed, true);
  }

  private void internalChurn(long seed, boolean unreliable) {
    int servers = 5;
    try (LabRaft cfg = make(servers, unreliable, false, seed)) {
      cfg.begin(unreliable ? "Test (3C): unreliable churn" : "Test (3C): churn");
      boolean[] stop = {false};
      int ncli = 3;
      List<List<Integer>> results = new ArrayList<>();
      List<LabProcesses.Proc> clients = new ArrayList<>();
      for (int c = 0; c < ncli; c++) {
        int me = c;
        SplittableRandom r = cfg.rand().split();
        List<Integer> values = new ArrayList<>();
        results.add(values);
        clients.add(cfg.go("churn-client-" + me, () -> {
          while (!stop[0]) {
            int x = r.nextInt(Integer.MAX_VALUE);
            long index = -1;
            boolean ok = false;
            for (int i = 0; i < servers; i++) {
              // try them all, maybe one of them is a leader
              if (cfg.alive(i)) {
                LabRaft.Start s = cfg.start(i, x);
                if (s.isLeader()) {
                  ok = true;
                  index = s.index();
                }
              }
            }
            if (ok) {
              // maybe leader will commit our value, maybe not. but don't wait forever.
              for (int to : new int[] {10, 20, 50, 100, 200}) {
                LabRaft.Committed c1 = cfg.nCommitted(index);
                if (c1.count() > 0) {
                  if (!(c1.command() instanceof Integer xx)) throw new AssertionError("wrong command type");
                  if (xx == x) values.add(x);
                  break;
                }
                cfg.sleep(to);
              }
            } else {
              cfg.sleep(79 + me * 17);
            }
          }
        }));
      }
      for (int iters = 0; iters < 20; iters++) {
        if (cfg.rand().nextInt(1000) < 200) cfg.disconnect(cfg.rand().nextInt(servers));
        if (cfg.rand().nextInt(1000) < 500) {
          int i = cfg.rand().nextInt(servers);
          if (!cfg.alive(i)) cfg.start1(i);
          cfg.connect(i);
        }
        if (cfg.rand().nextInt(1000) < 200) {
          int i = cfg.rand().nextInt(servers);
          if (cfg.alive(i)) cfg.crash1(i);
        }
        // Make crash/restart infrequent enough that the peers can often keep up, but not so
        // infrequent that everything has settled down from one change to the next.
        cfg.sleep(ELECTION * 7 / 10);
      }
      cfg.sleep(ELECTION);
      cfg.setReliable(true);
      for (int i = 0; i < servers; i++) {
        if (!cfg.alive(i)) cfg.start1(i);
        cfg.connect(i);
      }
      stop[0] = true;
      cfg.join(clients); // a failed client fails the test here ("client failed")
      List<Integer> values = new ArrayList<>();
      for (List<Integer> v : results) values.addAll(v);
      cfg.sleep(ELECTION);
      long lastIndex = cfg.one(randInt(cfg), servers, true);
      Set<Integer> really = new HashSet<>();
      for (long index = 1; index <= lastIndex; index++) {
        Object v = cfg.wait(index, servers, -1);
        if (!(v instanceof Integer vi)) throw new AssertionError("not an int");
        really.add(vi);
      }
      for (int v1 : values) {
        if (!really.contains(v1)) fail("didn't find a value");
      }
      assertTrue(lastIndex >= 1);
      cfg.end();
    }
  }
}
