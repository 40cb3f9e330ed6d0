package kvraft;

import static kvraft.KvLabScenarios.check;
import static kvraft.KvLabScenarios.checkConcurrentAppends;
import static kvraft.KvLabScenarios.genericTest;
import static kvraft.KvLabScenarios.genericTestSpeed;
import static kvraft.KvLabScenarios.onePartition;
import static kvraft.KvLabScenarios.get;
import static kvraft.KvLabScenarios.put;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.cluster.LabKv;
import testkit.cluster.LabKvCluster;
import testkit.cluster.LabProcesses;

/**
 * Lab 4 (kvraft), src/kvraft/test_test.go's 23 tests, in virtual time over {@link LabKvCluster}:
 * same clients, servers, durations, maxraftstate and thresholds; the GenericTest ones end with a
 * linearizability check of the whole history (an undecided check fails).
 */
@ExtendWith(SeedExtension.class)
class KvRaftLab4Test {

  /** The lab's make_config(t, nservers, unreliable, maxraftstate); {@link KvRaftLab4ActorsTest} runs the same scenarios on the actors. */
  protected LabKv make(int nservers, boolean unreliable, int maxraftstate, long seed) {
    return LabKvCluster.make(nservers, unreliable, maxraftstate, seed);
  }

  private void generic(long seed, String part, int nclients, int nservers, boolean unreliable, boolean crash,
      boolean partitions, int maxraftstate, boolean randomkeys) {
    try (LabKv cfg = make(nservers, unreliable, maxraftstate, seed)) {
      genericTest(cfg, part, nclients, unreliable, crash, partitions, maxraftstate, randomkeys);
    }
  }

  // ---- 4A ----------------------------------------------------------------------------------

  @Test
  void basic4A(long seed) {
    generic(seed, "4A", 1, 5, false, false, false, -1, false);
  }

  @Test
  void speed4A(long seed) {
    try (LabKv cfg = make(3, false, -1, seed)) {
      genericTestSpeed(cfg, "4A");
    }
  }

  @Test
  void concurrent4A(long seed) {
    generic(seed, "4A", 5, 5, false, false, false, -1, false);
  }

  @Test
  void unreliable4A(long seed) {
    generic(seed, "4A", 5, 5, true, false, false, -1, false);
  }

  @Test
  void unreliableOneKey4A(long seed) {
    int nservers = 3;
    try (LabKv cfg = make(nservers, true, -1, seed)) {
      LabKv.Clerk ck = cfg.makeClient(cfg.all());
      cfg.begin("Test: concurrent append to same key, unreliable (4A)");
      put(cfg, ck, "k", "", null, -1);
      int nclient = 5;
      int upto = 10;
      List<LabProcesses.Proc> ps = new ArrayList<>();
      for (int c = 0; c < nclient; c++) {
        int me = c;
        ps.add(cfg.go("client-" + me, () -> {
          LabKv.Clerk myck = cfg.makeClient(cfg.all());
          for (int n = 0; n < upto; n++) KvLabScenarios.append(cfg, myck, "k", "x " + me + " " + n + " y", null, -1);
        }));
      }
      cfg.join(ps);
      int[] counts = new int[nclient];
      java.util.Arrays.fill(counts, upto);
      checkConcurrentAppends(get(cfg, ck, "k", null, -1), counts);
      cfg.end();
    }
  }

  /** Progress in the majority, none in the minority (old leader there), completion after heal. */
  @Test
  void onePartition4A(long seed) {
    try (LabKv cfg = make(5, false, -1, seed)) {
      onePartition(cfg);
    }
  }

  @Test
  void manyPartitionsOneClient4A(long seed) {
    generic(seed, "4A", 1, 5, false, false, true, -1, false);
  }

  @Test
  void manyPartitionsManyClients4A(long seed) {
    generic(seed, "4A", 5, 5, false, false, true, -1, false);
  }

  @Test
  void persistOneClient4A(long seed) {
    generic(seed, "4A", 1, 5, false, true, false, -1, false);
  }

  @Test
  void persistConcurrent4A(long seed) {
    generic(seed, "4A", 5, 5, false, true, false, -1, false);
  }

  @Test
  void persistConcurrentUnreliable4A(long seed) {
    generic(seed, "4A", 5, 5, true, true, false, -1, false);
  }

  @Test
  void persistPartition4A(long seed) {
    generic(seed, "4A", 5, 5, false, true, true, -1, false);
  }

  @Test
  void persistPartitionUnreliable4A(long seed) {
    generic(seed, "4A", 5, 5, true, true, true, -1, false);
  }

  @Test
  void persistPartitionUnreliableLinearizable4A(long seed) {
    generic(seed, "4A", 15, 7, true, true, true, -1, true);
  }

  // ---- 4B ----------------------------------------------------------------------------------

  /** The majority trims its log while server 2 lags; server 2 then catches up by InstallSnapshot. */
  @Test
  void snapshotRPC4B(long seed) {
    int maxraftstate = 1000;
    try (LabKv cfg = make(3, false, maxraftstate, seed)) {
      LabKv.Clerk ck = cfg.makeClient(cfg.all());
      cfg.begin("Test: InstallSnapshot RPC (4B)");
      put(cfg, ck, "a", "A", null, -1);
      check(cfg, ck, "a", "A");

      cfg.partition(new int[] {0, 1}, new int[] {2});
      LabKv.Clerk ck1 = cfg.makeClient(0, 1);
      for (int i = 0; i < 50; i++) put(cfg, ck1, Integer.toString(i), Integer.toString(i), null, -1);
      cfg.sleep(LabKv.ELECTION_TIMEOUT);
      put(cfg, ck1, "b", "B", null, -1);
      long sz = cfg.logSize();
      assertTrue(sz <= 8L * maxraftstate, "logs were not trimmed (" + sz + " > 8*" + maxraftstate + ")");

      int installed = cfg.snapshotsInstalled(2);
      cfg.partition(new int[] {0, 2}, new int[] {1});
      LabKv.Clerk ck2 = cfg.makeClient(0, 2);
      put(cfg, ck2, "c", "C", null, -1);
      put(cfg, ck2, "d", "D", null, -1);
      check(cfg, ck2, "a", "A");
      check(cfg, ck2, "b", "B");
      check(cfg, ck2, "1", "1");
      check(cfg, ck2, "49", "49");
      // stricter than the lab: the lagging server really caught up through InstallSnapshot
      assertTrue(cfg.snapshotsInstalled(2) > installed, "server 2 caught up without an InstallSnapshot");

      cfg.partition(new int[] {0, 1, 2}, new int[0]);
      put(cfg, ck, "e", "E", null, -1);
      check(cfg, ck, "c", "C");
      check(cfg, ck, "e", "E");
      check(cfg, ck, "1", "1");
      cfg.end();
    }
  }

  /** 800 ops on one key: the log stays trimmed and the snapshot holds only KV and session state. */
  @Test
  void snapshotSize4B(long seed) {
    int maxraftstate = 1000;
    int maxsnapshotstate = 500;
    try (LabKv cfg = make(3, false, maxraftstate, seed)) {
      LabKv.Clerk ck = cfg.makeClient(cfg.all());
      cfg.begin("Test: snapshot size is reasonable (4B)");
      for (int i = 0; i < 200; i++) {
        put(cfg, ck, "x", "0", null, -1);
        check(cfg, ck, "x", "0");
        put(cfg, ck, "x", "1", null, -1);
        check(cfg, ck, "x", "1");
      }
      long sz = cfg.logSize();
      assertTrue(sz <= 8L * maxraftstate, "logs were not trimmed (" + sz + " > 8*" + maxraftstate + ")");
      long ssz = cfg.snapshotSize();
      assertTrue(ssz > 0, "no snapshot was taken"); // stricter: maxraftstate 1000 must trigger snapshots
      assertTrue(ssz <= maxsnapshotstate, "snapshot too large (" + ssz + " > " + maxsnapshotstate + ")");
      cfg.end();
    }
  }

  @Test
  void speed4B(long seed) {
    try (LabKv cfg = make(3, false, 1000, seed)) {
      genericTestSpeed(cfg, "4B");
    }
  }

  @Test
  void snapshotRecover4B(long seed) {
    generic(seed, "4B", 1, 5, false, true, false, 1000, false);
  }

  @Test
  void snapshotRecoverManyClients4B(long seed) {
    generic(seed, "4B", 20, 5, false, true, false, 1000, false);
  }

  @Test
  void snapshotUnreliable4B(long seed) {
    generic(seed, "4B", 5, 5, true, false, false, 1000, false);
  }

  @Test
  void snapshotUnreliableRecover4B(long seed) {
    generic(seed, "4B", 5, 5, true, true, false, 1000, false);
  }

  @Test
  void snapshotUnreliableRecoverConcurrentPartition4B(long seed) {
    generic(seed, "4B", 5, 5, true, true, true, 1000, false);
  }

  @Test
  void snapshotUnreliableRecoverConcurrentPartitionLinearizable4B(long seed) {
    generic(seed, "4B", 15, 7, true, true, true, 1000, true);
  }
}
