package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import testkit.cluster.LabKv;
import testkit.cluster.LabProcesses;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvModel;
import testkit.linearizability.KvOutput;
import testkit.linearizability.Linearizability;
import testkit.linearizability.Operation;

/**
 * The lab's kvraft test helpers (src/kvraft/test_test.go): Get/Put/Append that log every
 * operation for the linearizability check in virtual time, check, checkClntAppends,
 * checkConcurrentAppends, and the GenericTest and speed workloads. Shared by the lab suite and the
 * harness self-tests that run the same workloads against deliberately broken servers.
 */
final class KvLabScenarios {
  private KvLabScenarios() {}

  /**
   * The lab's OpLog, with virtual call and return times. Only one thread runs at a time, so
   * stamps are strictly increasing in execution order: the virtual ms in ns, plus one ns per stamp
   * within the same ms, so an operation that returns before another is called is ordered before it
   * even at the same virtual ms.
   */
  static final class OpLog {
    private final List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
    private long last;

    synchronized long stamp(LabKv cfg) {
      last = Math.max(cfg.now() * 1_000_000L, last + 1);
      return last;
    }

    synchronized void add(Operation<KvInput, KvOutput> op) {
      ops.add(op);
    }

    synchronized List<Operation<KvInput, KvOutput>> read() {
      return List.copyOf(ops);
    }
  }

  static String get(LabKv cfg, LabKv.Clerk ck, String key, OpLog log, int cli) {
    long start = log == null ? 0 : log.stamp(cfg);
    String v = ck.get(key);
    if (log != null) log.add(Operation.completed(cli, new KvInput.Get(key), KvOutput.value(v), start, log.stamp(cfg)));
    return v;
  }

  static void put(LabKv cfg, LabKv.Clerk ck, String key, String value, OpLog log, int cli) {
    long start = log == null ? 0 : log.stamp(cfg);
    ck.put(key, value);
    if (log != null) log.add(Operation.completed(cli, new KvInput.Put(key, value), KvOutput.DONE, start, log.stamp(cfg)));
  }

  static void append(LabKv cfg, LabKv.Clerk ck, String key, String value, OpLog log, int cli) {
    long start = log == null ? 0 : log.stamp(cfg);
    ck.append(key, value);
    if (log != null) log.add(Operation.completed(cli, new KvInput.Append(key, value), KvOutput.DONE, start, log.stamp(cfg)));
  }

  static void check(LabKv cfg, LabKv.Clerk ck, String key, String value) {
    String v = get(cfg, ck, key, null, -1);
    assertEquals(value, v, "Get(" + key + ") wrong value");
  }

  /** Every "x clnt j y" for j < count exactly once, in order; stricter than the lab: nothing else. */
  static void checkClntAppends(int clnt, String v, int count) {
    int lastoff = -1;
    StringBuilder expected = new StringBuilder();
    for (int j = 0; j < count; j++) {
      String wanted = "x " + clnt + " " + j + " y";
      expected.append(wanted);
      int off = v.indexOf(wanted);
      assertTrue(off >= 0, clnt + " missing element " + wanted + " in Append result " + v);
      assertEquals(off, v.lastIndexOf(wanted), "duplicate element " + wanted + " in Append result");
      assertTrue(off > lastoff, "wrong order for element " + wanted + " in Append result");
      lastoff = off;
    }
    assertEquals(expected.toString(), v, "client " + clnt + "'s key holds something besides its appends");
  }

  /** Each client's appends exactly once and in its order inside one shared value; nothing else. */
  static void checkConcurrentAppends(String v, int[] counts) {
    int total = 0;
    for (int i = 0; i < counts.length; i++) {
      int lastoff = -1;
      for (int j = 0; j < counts[i]; j++) {
        String wanted = "x " + i + " " + j + " y";
        total += wanted.length();
        int off = v.indexOf(wanted);
        assertTrue(off >= 0, i + " missing element " + wanted + " in Append result " + v);
        assertEquals(off, v.lastIndexOf(wanted), "duplicate element " + wanted + " in Append result");
        assertTrue(off > lastoff, "wrong order for element " + wanted + " in Append result");
        lastoff = off;
      }
    }
    assertEquals(total, v.length(), "the value holds something besides the appends: " + v);
  }

  /** The partitioner goroutine: random two-sided partitions every 1 s + 0..199 ms until done. */
  private static void partitioner(LabKv cfg, boolean[] done) {
    while (!done[0]) {
      List<Integer> p0 = new ArrayList<>();
      List<Integer> p1 = new ArrayList<>();
      for (int i = 0; i < cfg.n(); i++) (cfg.rand().nextInt(2) == 0 ? p0 : p1).add(i);
      cfg.partition(p0.stream().mapToInt(x -> x).toArray(), p1.stream().mapToInt(x -> x).toArray());
      cfg.sleep(LabKv.ELECTION_TIMEOUT + cfg.rand().nextInt(200));
    }
  }

  static String title(String part, int nclients, boolean unreliable, boolean crash, boolean partitions,
      int maxraftstate, boolean randomkeys) {
    StringBuilder t = new StringBuilder("Test: ");
    if (unreliable) t.append("unreliable net, ");
    if (crash) t.append("restarts, ");
    if (partitions) t.append("partitions, ");
    if (maxraftstate != -1) t.append("snapshots, ");
    if (randomkeys) t.append("random keys, ");
    t.append(nclients > 1 ? "many clients" : "one client");
    return t.append(" (").append(part).append(")").toString();
  }

  /** The lab's GenericTest: 3 iterations of 5 s of client load, then the checks, then porcupine. */
  static void genericTest(LabKv cfg, String part, int nclients, boolean unreliable, boolean crash,
      boolean partitions, int maxraftstate, boolean randomkeys) {
    int nservers = cfg.n();
    cfg.begin(title(part, nclients, unreliable, crash, partitions, maxraftstate, randomkeys));
    OpLog opLog = new OpLog();
    LabKv.Clerk ck = cfg.makeClient(cfg.all());
    for (int iter = 0; iter < 3; iter++) {
      boolean[] doneClients = {false};
      boolean[] donePartitioner = {false};
      int[] counts = new int[nclients];
      List<LabProcesses.Proc> clients = new ArrayList<>();
      for (int c = 0; c < nclients; c++) {
        int cli = c;
        clients.add(cfg.go("client-" + cli, () -> {
          LabKv.Clerk myck = cfg.makeClient(cfg.all());
          int j = 0;
          String last = "";
          if (!randomkeys) put(cfg, myck, Integer.toString(cli), last, opLog, cli);
          while (!doneClients[0]) {
            String key = randomkeys ? Integer.toString(cfg.rand().nextInt(nclients)) : Integer.toString(cli);
            String nv = "x " + cli + " " + j + " y";
            if (cfg.rand().nextInt(1000) < 500) {
              append(cfg, myck, key, nv, opLog, cli);
              if (!randomkeys) last = last + nv;
              j++;
            } else if (randomkeys && cfg.rand().nextInt(1000) < 100) {
              put(cfg, myck, key, nv, opLog, cli);
              j++;
            } else {
              String v = get(cfg, myck, key, opLog, cli);
              if (!randomkeys && !v.equals(last)) {
                throw new AssertionError("get wrong value, key " + key + ", wanted:\n" + last + "\n, got\n" + v);
              }
            }
          }
          counts[cli] = j;
        }));
      }
      List<LabProcesses.Proc> parts = new ArrayList<>();
      if (partitions) {
        cfg.sleep(1000);
        parts.add(cfg.go("partitioner", () -> partitioner(cfg, donePartitioner)));
      }
      cfg.sleep(5000);
      doneClients[0] = true;
      donePartitioner[0] = true;
      if (partitions) {
        cfg.join(parts);
        cfg.connectAll();
        cfg.sleep(LabKv.ELECTION_TIMEOUT); // a client stuck in a minority needs the new term
      }
      if (crash) {
        for (int i = 0; i < nservers; i++) cfg.shutdownServer(i);
        cfg.sleep(LabKv.ELECTION_TIMEOUT);
        for (int i = 0; i < nservers; i++) cfg.startServer(i);
        cfg.connectAll();
      }
      cfg.join(clients); // a client may first finish its in-flight request against the recovered cluster
      for (int i = 0; i < nclients; i++) {
        String v = get(cfg, ck, Integer.toString(i), opLog, 0);
        if (!randomkeys) checkClntAppends(i, v, counts[i]);
      }
      if (maxraftstate > 0) {
        long sz = cfg.logSize();
        assertTrue(sz <= 8L * maxraftstate, "logs were not trimmed (" + sz + " > 8*" + maxraftstate + ")");
      }
      if (maxraftstate < 0) {
        long ssz = cfg.snapshotSize();
        assertEquals(0, ssz, "snapshot too large (" + ssz + "), should not be used when maxraftstate = -1");
      }
    }
    cfg.note("linearizability " + Linearizability.assertLinearizable(KvModel.lab(), opLog.read()).summary());
    cfg.end();
  }

  /** The lab's GenericTestSpeed: 1000 sequential Appends from one clerk, ≤ 100 ms / 3 each on average. */
  static void genericTestSpeed(LabKv cfg, String part) {
    int numOps = 1000;
    LabKv.Clerk ck = cfg.makeClient(cfg.all());
    cfg.begin("Test: ops complete fast enough (" + part + ")");
    ck.get("x"); // wait for a leader and ready servers
    long start = cfg.now();
    for (int i = 0; i < numOps; i++) ck.append("x", "x 0 " + i + " y");
    long dur = cfg.now() - start;
    String v = ck.get("x");
    checkClntAppends(0, v, numOps);
    double timePerOp = 100.0 / 3;
    assertTrue(dur <= numOps * timePerOp,
        String.format("Operations completed too slowly %.1f ms/op > %.1f ms/op", dur / (double) numOps, timePerOp));
    cfg.end();
  }

  /** TestOnePartition4A on a 5-server reliable cluster: majority progresses, minority must not, heal completes it. */
  static void onePartition(LabKv cfg) {
    LabKv.Clerk ck = cfg.makeClient(cfg.all());
    put(cfg, ck, "1", "13", null, -1);

    cfg.begin("Test: progress in majority (4A)");
    int[][] p = cfg.makePartition();
    cfg.partition(p[0], p[1]);
    LabKv.Clerk ckp1 = cfg.makeClient(p[0]);
    LabKv.Clerk ckp2a = cfg.makeClient(p[1]);
    LabKv.Clerk ckp2b = cfg.makeClient(p[1]);
    put(cfg, ckp1, "1", "14", null, -1);
    check(cfg, ckp1, "1", "14");
    cfg.end();

    cfg.begin("Test: no progress in minority (4A)");
    LabProcesses.Proc done0 = cfg.go("minority-put", () -> put(cfg, ckp2a, "1", "15", null, -1));
    LabProcesses.Proc done1 = cfg.go("minority-get", () -> get(cfg, ckp2b, "1", null, -1));
    cfg.sleep(1000);
    assertFalse(done0.done(), "Put in minority completed");
    assertFalse(done1.done(), "Get in minority completed");
    check(cfg, ckp1, "1", "14");
    put(cfg, ckp1, "1", "16", null, -1);
    check(cfg, ckp1, "1", "16");
    assertFalse(done0.done(), "Put in minority completed");
    assertFalse(done1.done(), "Get in minority completed");
    cfg.end();

    cfg.begin("Test: completion after heal (4A)");
    cfg.connectAll();
    cfg.connectClient(ckp2a, cfg.all());
    cfg.connectClient(ckp2b, cfg.all());
    cfg.sleep(LabKv.ELECTION_TIMEOUT);
    for (int i = 0; i < 30 && !(done0.done() && done1.done()); i++) cfg.sleep(100);
    assertTrue(done0.done(), "Put did not complete");
    assertTrue(done1.done(), "Get did not complete"); // stricter than the lab, which does not wait for it
    check(cfg, ck, "1", "15");
    cfg.end();
  }
}
