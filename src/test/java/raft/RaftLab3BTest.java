package raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabRaft;
import testkit.cluster.LabRaftCluster;

/** Lab 3B (log replication), test_test.go's TestBasicAgree3B .. TestCount3B, in virtual time. */
@ExtendWith(SeedExtension.class)
class RaftLab3BTest {
  private static final long ELECTION = LabRaft.ELECTION_TIMEOUT;

  /** The cluster the scenarios run on: the pure core on the simulated network; {@link RaftLab3BActorsTest} runs them on the actors. */
  LabRaft make(int n, boolean unreliable, boolean snapshot, long seed) {
    return LabRaftCluster.make(n, unreliable, snapshot, seed);
  }

  @Test
  void basicAgree3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): basic agreement");
      for (int index = 1; index <= 3; index++) {
        assertEquals(0, cfg.nCommitted(index).count(), "some have committed before Start()");
        long xindex = cfg.one(index * 100, servers, false);
        assertEquals(index, xindex, "got index " + xindex + " but expected " + index);
      }
      cfg.end();
    }
  }

  @Test
  void rPCBytes3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): RPC byte count");
      cfg.one(99, servers, false);
      long bytes0 = cfg.bytesTotal();
      int iters = 10;
      long sent = 0;
      for (int index = 2; index < iters + 2; index++) {
        String cmd = randString(cfg, 5000);
        long xindex = cfg.one(cmd, servers, false);
        assertEquals(index, xindex, "got index " + xindex + " but expected " + index);
        sent += cmd.length();
      }
      long got = cfg.bytesTotal() - bytes0;
      long expected = (long) servers * sent;
      assertTrue(got <= expected + 50_000, "too many RPC bytes; got " + got + ", expected " + expected);
      cfg.end();
    }
  }

  static String randString(LabRaft cfg, int n) {
    StringBuilder sb = new StringBuilder(n);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < n; i++) sb.append(alphabet.charAt(cfg.rand().nextInt(alphabet.length())));
    return sb.toString();
  }

  @Test
  void followerFailure3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): test progressive failure of followers");
      cfg.one(101, servers, false);
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect((leader1 + 1) % servers);
      cfg.one(102, servers - 1, false);
      cfg.sleep(ELECTION);
      cfg.one(103, servers - 1, false);
      int leader2 = cfg.checkOneLeader();
      cfg.disconnect((leader2 + 1) % servers);
      cfg.disconnect((leader2 + 2) % servers);
      LabRaft.Start s = cfg.start(leader2, 104);
      assertTrue(s.isLeader(), "leader rejected Start()");
      assertEquals(4, s.index(), "expected index 4, got " + s.index());
      cfg.sleep(2 * ELECTION);
      assertEquals(0, cfg.nCommitted(s.index()).count(), "committed but no majority");
      cfg.end();
    }
  }

  @Test
  void leaderFailure3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): test failure of leaders");
      cfg.one(101, servers, false);
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.one(102, servers - 1, false);
      cfg.sleep(ELECTION);
      cfg.one(103, servers - 1, false);
      int leader2 = cfg.checkOneLeader();
      cfg.disconnect(leader2);
      for (int i = 0; i < servers; i++) cfg.start(i, 104);
      cfg.sleep(2 * ELECTION);
      assertEquals(0, cfg.nCommitted(4).count(), "committed but no majority");
      cfg.end();
    }
  }

  @Test
  void failAgree3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): agreement after follower reconnects");
      cfg.one(101, servers, false);
      int leader = cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);
      cfg.one(102, servers - 1, false);
      cfg.one(103, servers - 1, false);
      cfg.sleep(ELECTION);
      cfg.one(104, servers - 1, false);
      cfg.one(105, servers - 1, false);
      cfg.connect((leader + 1) % servers);
      cfg.one(106, servers, true);
      cfg.sleep(ELECTION);
      cfg.one(107, servers, true);
      cfg.end();
    }
  }

  @Test
  void failNoAgree3B(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): no agreement if too many followers disconnect");
      cfg.one(10, servers, false);
      int leader = cfg.checkOneLeader();
      cfg.disconnect((leader + 1) % servers);
      cfg.disconnect((leader + 2) % servers);
      cfg.disconnect((leader + 3) % servers);
      LabRaft.Start s = cfg.start(leader, 20);
      assertTrue(s.isLeader(), "leader rejected Start()");
      assertEquals(2, s.index(), "expected index 2, got " + s.index());
      cfg.sleep(2 * ELECTION);
      assertEquals(0, cfg.nCommitted(s.index()).count(), "committed but no majority");
      cfg.connect((leader + 1) % servers);
      cfg.connect((leader + 2) % servers);
      cfg.connect((leader + 3) % servers);
      int leader2 = cfg.checkOneLeader();
      LabRaft.Start s2 = cfg.start(leader2, 30);
      assertTrue(s2.isLeader(), "leader2 rejected Start()");
      assertTrue(s2.index() >= 2 && s2.index() <= 3, "unexpected index " + s2.index());
      cfg.one(1000, servers, true);
      cfg.end();
    }
  }

  @Test
  void concurrentStarts3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): concurrent Start()s");
      boolean success = false;
      loop:
      for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) cfg.sleep(3000); // give solution some time to settle
        int leader = cfg.checkOneLeader();
        LabRaft.Start s = cfg.start(leader, 1);
        if (!s.isLeader()) continue; // leader moved on really quickly
        long term = s.term();
        // The lab's 5 goroutines: each calls Start at the same moment, in some interleaving.
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        shuffle(order, cfg);
        List<Long> indexes = new ArrayList<>();
        for (int ii : order) {
          LabRaft.Start si = cfg.start(leader, 100 + ii);
          if (si.term() != term || !si.isLeader()) continue;
          indexes.add(si.index());
        }
        for (int j = 0; j < servers; j++) {
          if (cfg.term(j) != term) continue loop; // term changed -- can't expect low RPC counts
        }
        boolean failed = false;
        List<Object> cmds = new ArrayList<>();
        for (long index : indexes) {
          Object cmd = cfg.wait(index, servers, term);
          if (cmd instanceof Integer x) {
            if (x == -1) {
              failed = true; // peers have moved on to later terms
              break;
            }
            cmds.add(x);
          } else {
            fail("value " + cmd + " is not an int");
          }
        }
        if (failed) continue; // avoid leaking goroutines
        for (int ii = 0; ii < 5; ii++) {
          int x = 100 + ii;
          assertTrue(cmds.contains(x), "cmd " + x + " missing in " + cmds);
        }
        success = true;
        break;
      }
      assertTrue(success, "term changed too often");
      cfg.end();
    }
  }

  static void shuffle(List<Integer> xs, LabRaft cfg) {
    for (int i = xs.size() - 1; i > 0; i--) {
      int j = cfg.rand().nextInt(i + 1);
      Integer t = xs.get(i);
      xs.set(i, xs.get(j));
      xs.set(j, t);
    }
  }

  @Test
  void rejoin3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): rejoin of partitioned leader");
      cfg.one(101, servers, true);
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect(leader1);
      cfg.start(leader1, 102);
      cfg.start(leader1, 103);
      cfg.start(leader1, 104);
      cfg.one(103, 2, true);
      int leader2 = cfg.checkOneLeader();
      cfg.disconnect(leader2);
      cfg.connect(leader1);
      cfg.one(104, 2, true);
      cfg.connect(leader2);
      cfg.one(105, servers, true);
      cfg.end();
    }
  }

  @Test
  void backup3B(long seed) {
    int servers = 5;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): leader backs up quickly over incorrect follower logs");
      cfg.one(cfg.rand().nextInt(1 << 30), servers, true);
      // put leader and one follower in a partition
      int leader1 = cfg.checkOneLeader();
      cfg.disconnect((leader1 + 2) % servers);
      cfg.disconnect((leader1 + 3) % servers);
      cfg.disconnect((leader1 + 4) % servers);
      // submit lots of commands that won't commit
      for (int i = 0; i < 50; i++) cfg.start(leader1, cfg.rand().nextInt(1 << 30));
      cfg.sleep(ELECTION / 2);
      cfg.disconnect((leader1 + 0) % servers);
      cfg.disconnect((leader1 + 1) % servers);
      // allow other partition to recover
      cfg.connect((leader1 + 2) % servers);
      cfg.connect((leader1 + 3) % servers);
      cfg.connect((leader1 + 4) % servers);
      // lots of successful commands to new group.
      for (int i = 0; i < 50; i++) cfg.one(cfg.rand().nextInt(1 << 30), 3, true);
      // now another partitioned leader and one follower
      int leader2 = cfg.checkOneLeader();
      int other = (leader1 + 2) % servers;
      if (leader2 == other) other = (leader2 + 1) % servers;
      cfg.disconnect(other);
      // lots more commands that won't commit
      for (int i = 0; i < 50; i++) cfg.start(leader2, cfg.rand().nextInt(1 << 30));
      cfg.sleep(ELECTION / 2);
      // bring original leader back to life,
      for (int i = 0; i < servers; i++) cfg.disconnect(i);
      cfg.connect((leader1 + 0) % servers);
      cfg.connect((leader1 + 1) % servers);
      cfg.connect(other);
      // lots of successful commands to new group.
      for (int i = 0; i < 50; i++) cfg.one(cfg.rand().nextInt(1 << 30), 3, true);
      // now everyone
      for (int i = 0; i < servers; i++) cfg.connect(i);
      cfg.one(cfg.rand().nextInt(1 << 30), servers, true);
      cfg.end();
    }
  }

  @Test
  void count3B(long seed) {
    int servers = 3;
    try (LabRaft cfg = make(servers, false, false, seed)) {
      cfg.begin("Test (3B): RPC counts aren't too high");
      int leader = cfg.checkOneLeader();
      long total1 = rpcs(cfg);
      assertTrue(total1 <= 30 && total1 >= 1, "too many or few RPCs (" + total1 + ") to elect initial leader");
      long total2 = 0;
      boolean success = false;
      loop:
      for (int attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) cfg.sleep(3000); // give solution some time to settle
        leader = cfg.checkOneLeader();
        total1 = rpcs(cfg);
        int iters = 10;
        LabRaft.Start s = cfg.start(leader, 1);
        if (!s.isLeader()) continue; // leader moved on really quickly
        long starti = s.index();
        long term = s.term();
        List<Integer> cmds = new ArrayList<>();
        for (int i = 1; i < iters + 2; i++) {
          int x = cfg.rand().nextInt(1 << 30);
          cmds.add(x);
          LabRaft.Start si = cfg.start(leader, x);
          if (si.term() != term) continue loop; // Term changed while starting
          if (!si.isLeader()) continue loop; // No longer the leader, so term has changed
          assertEquals(starti + i, si.index(), "Start() failed");
        }
        for (int i = 1; i < iters + 1; i++) {
          Object cmd = cfg.wait(starti + i, servers, term);
          if (cmd instanceof Integer ix && ix == -1) continue loop; // term changed -- try again
          assertEquals(cmds.get(i - 1), cmd, "wrong value " + cmd + " committed for index " + (starti + i));
        }
        for (int j = 0; j < servers; j++) {
          if (cfg.term(j) != term) continue loop; // term changed -- can't expect low RPC counts
        }
        total2 = rpcs(cfg);
        assertTrue(total2 - total1 <= (iters + 1 + 3) * 3, "too many RPCs (" + (total2 - total1) + ") for "
            + iters + " entries");
        success = true;
        break;
      }
      assertTrue(success, "term changed too often");
      cfg.sleep(ELECTION);
      long total3 = rpcs(cfg);
      assertTrue(total3 - total2 <= 3 * 20, "too many RPCs (" + (total3 - total2) + ") for 1 second of idleness");
      cfg.end();
    }
  }

  private static long rpcs(LabRaft cfg) {
    long n = 0;
    for (int j = 0; j < cfg.n(); j++) n += cfg.rpcCount(j);
    return n;
  }
}
