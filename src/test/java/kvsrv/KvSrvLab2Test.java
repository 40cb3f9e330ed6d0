package kvsrv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.linearizability.HistoryRecorder;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvModel;
import testkit.linearizability.KvOutput;
import testkit.linearizability.Linearizability;

/**
 * The ten lab 2 scenarios (src/kvsrv/test_test.go, lab-scenarios §3), one method each, with the
 * lab's numbers. Memory is the server's retained-bytes accounting ({@link KvSrv.Status}) instead of
 * the Go heap; the bounds are the lab's, compared the same way (whole MiB for the big values,
 * bytes per client for the many-clerk scenarios). The Go tests' one-second sleeps before measuring
 * let labrpc goroutines start and the GC settle; the accounting needs neither, so they are left out.
 */
@ExtendWith(SeedExtension.class)
@Timeout(120)
class KvSrvLab2Test {
  private static final Logger log = LoggerFactory.getLogger(KvSrvLab2Test.class);
  private static final int NITER = 3;
  private static final long TIME_MS = 1000;
  private static final long MIB = 1 << 20;
  private static final long OP_TIMEOUT_S = 60;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("KvSrvLab2Test");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // ------------------------------------------------------------------ the lab's logged operations

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(OP_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("clerk operation did not complete", e);
    }
  }

  private static String get(KvSrvClient ck, String key, HistoryRecorder<KvInput, KvOutput> log, int cli) {
    if (log == null) {
      return await(ck.get(key));
    }
    HistoryRecorder<KvInput, KvOutput>.Call c = log.call(cli, KvInput.lab(0, key, ""));
    String v = await(ck.get(key));
    c.returned(KvOutput.value(v));
    return v;
  }

  private static void put(KvSrvClient ck, String key, String value, HistoryRecorder<KvInput, KvOutput> log, int cli) {
    if (log == null) {
      await(ck.put(key, value));
      return;
    }
    HistoryRecorder<KvInput, KvOutput>.Call c = log.call(cli, KvInput.lab(1, key, value));
    await(ck.put(key, value));
    c.returned(KvOutput.DONE);
  }

  private static String append(KvSrvClient ck, String key, String value, HistoryRecorder<KvInput, KvOutput> log,
      int cli) {
    if (log == null) {
      return await(ck.append(key, value));
    }
    HistoryRecorder<KvInput, KvOutput>.Call c = log.call(cli, KvInput.lab(3, key, value));
    String old = await(ck.append(key, value));
    c.returned(KvOutput.value(old));
    return old;
  }

  private static String nv(int cli, int j) {
    return "x " + cli + " " + j + " y";
  }

  /** Every "x cli k y" for k < count appears exactly once, in increasing k order. */
  private static void checkClntAppends(int clnt, String v, int count) {
    int lastoff = -1;
    for (int j = 0; j < count; j++) {
      String wanted = nv(clnt, j);
      int off = v.indexOf(wanted);
      if (off < 0) {
        fail(clnt + " missing element " + wanted + " in Append result " + v);
      }
      if (v.lastIndexOf(wanted) != off) {
        fail("duplicate element " + wanted + " in Append result");
      }
      if (off <= lastoff) {
        fail("wrong order for element " + wanted + " in Append result");
      }
      lastoff = off;
    }
  }

  private static void checkConcurrentAppends(String v, int[] counts) {
    for (int i = 0; i < counts.length; i++) {
      checkClntAppends(i, v, counts[i]);
    }
  }

  private static String randValue(SplittableRandom rnd, int n) {
    String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char[] b = new char[n];
    for (int i = 0; i < n; i++) {
      b[i] = letters.charAt(rnd.nextInt(letters.length()));
    }
    return new String(b);
  }

  /** Runs {@code body(cli, clerk, random)} on {@code ncli} fresh clerks in parallel; returns their results. */
  private static List<Integer> spawnClientsAndWait(KvSrvHarness cfg, int ncli, ClientBody body, long maxWaitMs)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(ncli);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int cli = 0; cli < ncli; cli++) {
        int me = cli;
        KvSrvClient ck = cfg.makeClient();
        SplittableRandom rnd = cfg.split();
        futures.add(pool.submit(() -> {
          int r = body.run(me, ck, rnd);
          cfg.deleteClient(ck);
          return r;
        }));
      }
      List<Integer> results = new ArrayList<>();
      for (Future<Integer> f : futures) {
        try {
          results.add(f.get(maxWaitMs, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AssertionError ae) {
            throw ae;
          }
          throw e;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface ClientBody {
    int run(int cli, KvSrvClient ck, SplittableRandom rnd) throws Exception;
  }

  /**
   * GenericTest(nclients, unreliable, randomkeys): NITER rounds of TIME of client activity, then
   * checkClntAppends per client key, then a linearizability check of every logged operation.
   */
  private static void genericTest(long seed, int nclients, boolean unreliable, boolean randomkeys) throws Exception {
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, unreliable);
    try {
      HistoryRecorder<KvInput, KvOutput> opLog = new HistoryRecorder<>();
      KvSrvClient ck = cfg.makeClient();
      for (int i = 0; i < NITER; i++) {
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<List<Integer>> counts = new CompletableFuture<>();
        Thread spawner = new Thread(() -> {
          try {
            counts.complete(spawnClientsAndWait(cfg, nclients, (cli, myck, rnd) -> {
              int j = 0;
              String last = "";
              String key = String.valueOf(cli);
              if (!randomkeys) {
                put(myck, key, last, opLog, cli);
              }
              while (!done.get()) {
                if (randomkeys) {
                  key = String.valueOf(rnd.nextInt(nclients));
                }
                String nv = nv(cli, j);
                if (rnd.nextInt(1000) < 500) {
                  String l = append(myck, key, nv, opLog, cli);
                  if (!randomkeys) {
                    if (j > 0) {
                      String o = nv(cli, j - 1);
                      assertTrue(l.contains(o), "error: old " + o + " not in return\n" + l);
                    }
                    assertFalse(l.contains(nv), "error: new value " + nv + " in returned values\n" + l);
                    last = last + nv;
                  }
                  j++;
                } else if (randomkeys && rnd.nextInt(1000) < 100) {
                  put(myck, key, nv, opLog, cli);
                  j++;
                } else {
                  String v = get(myck, key, opLog, cli);
                  if (!randomkeys && !v.equals(last)) {
                    fail("get wrong value, key " + key + ", wanted:\n" + last + "\n, got\n" + v);
                  }
                }
              }
              return j;
            }, 60_000));
          } catch (Throwable t) {
            counts.completeExceptionally(t);
          }
        }, "generic-clients");
        spawner.start();
        Thread.sleep(TIME_MS);
        done.set(true);
        List<Integer> js;
        try {
          js = counts.get(OP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AssertionError ae) {
            throw ae;
          }
          throw e;
        }
        for (int cli = 0; cli < nclients; cli++) {
          String v = get(ck, String.valueOf(cli), opLog, 0);
          if (!randomkeys) {
            checkClntAppends(cli, v, js.get(cli));
          }
        }
        log.info("iteration {}: appends per client {}", i, js);
      }
      log.info("{} operations logged; rpcs {} dispatched {}", opLog.size(), cfg.network().rpcCount(),
          cfg.network().dispatchedCount());
      Linearizability.assertLinearizable(KvModel.lab(), opLog.history());
    } finally {
      cfg.cleanup();
    }
  }

  // ------------------------------------------------------------------ the ten scenarios

  /** TestBasic2: one client. */
  @Test
  void basic2(long seed) throws Exception {
    genericTest(seed, 1, false, false);
  }

  /** TestConcurrent2: many clients. */
  @Test
  void concurrent2(long seed) throws Exception {
    genericTest(seed, 5, false, false);
  }

  /** TestUnreliable2: unreliable net, many clients; needs duplicate detection. */
  @Test
  void unreliable2(long seed) throws Exception {
    genericTest(seed, 5, true, false);
  }

  /**
   * TestUnreliableOneKey2: five clients append ten values each to one key over an unreliable net.
   * Beyond the lab (which runs no porcupine here), the operations are also checked for linearizability.
   */
  @Test
  void unreliableOneKey2(long seed) throws Exception {
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, true);
    try {
      HistoryRecorder<KvInput, KvOutput> opLog = new HistoryRecorder<>();
      KvSrvClient ck = cfg.makeClient();
      put(ck, "k", "", opLog, 99);
      final int nclient = 5;
      final int upto = 10;
      spawnClientsAndWait(cfg, nclient, (me, myck, rnd) -> {
        for (int n = 0; n < upto; n++) {
          String nv = nv(me, n);
          String ov = append(myck, "k", nv, opLog, me);
          assertFalse(ov.contains(nv), "error: nv " + nv + " in returned values\n" + ov);
        }
        return upto;
      }, 60_000);
      int[] counts = new int[nclient];
      java.util.Arrays.fill(counts, upto);
      String vx = get(ck, "k", opLog, 99);
      checkConcurrentAppends(vx, counts);
      Linearizability.assertLinearizable(KvModel.lab(), opLog.history());
    } finally {
      cfg.cleanup();
    }
  }

  /** TestMemGet2: the server must not keep copies of big Get replies. */
  @Test
  void memGet2(long seed) {
    final long mem = 10; // MiB
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, true);
    try {
      KvSrvClient ck0 = cfg.makeClient();
      KvSrvClient ck1 = cfg.makeClient();
      String rdVal = randValue(cfg.split(), (int) (MIB * mem));
      await(ck0.put("k", rdVal));
      assertEquals(rdVal.length(), await(ck0.get("k")).length(), "error: incorrect len");
      assertEquals(rdVal.length(), await(ck1.get("k")).length(), "error: incorrect len");
      await(ck0.put("k", "0"));
      assertUsesLessThan(cfg, mem);
    } finally {
      cfg.cleanup();
    }
  }

  /** The lab's memory check, on the bytes the server retains (see KvSrv.Status). */
  private static void assertUsesLessThan(KvSrvHarness cfg, long mib) {
    KvSrv.Status st = cfg.status();
    long m = st.retainedBytes() / MIB;
    assertTrue(m < mib, "error: server using too much memory " + m + " MiB: " + st);
  }

  /** TestMemPut2: Put values are not cached. */
  @Test
  void memPut2(long seed) {
    final long mem = 10; // MiB
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, false);
    try {
      KvSrvClient ck0 = cfg.makeClient();
      KvSrvClient ck1 = cfg.makeClient();
      String rdVal = randValue(cfg.split(), (int) (MIB * mem));
      await(ck0.put("k", rdVal));
      await(ck1.put("k", ""));
      assertUsesLessThan(cfg, mem);
    } finally {
      cfg.cleanup();
    }
  }

  /** TestMemAppend2: at most one extra copy of returned old values (20 MiB value + 10 MiB cached). */
  @Test
  void memAppend2(long seed) {
    final long mem = 10; // MiB
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, false);
    try {
      KvSrvClient ck0 = cfg.makeClient();
      KvSrvClient ck1 = cfg.makeClient();
      SplittableRandom rnd = cfg.split();
      String rdVal0 = randValue(rnd, (int) (MIB * mem));
      await(ck0.append("k", rdVal0));
      String rdVal1 = randValue(rnd, (int) (MIB * mem));
      assertEquals(rdVal0, await(ck1.append("k", rdVal1)));
      KvSrv.Status st = cfg.status();
      long m = st.retainedBytes() / MIB;
      assertTrue(m <= 3 * mem, "error: server using too much memory " + m + " MiB: " + st);
    } finally {
      cfg.cleanup();
    }
  }

  /** TestMemPutMany: 100,000 clerks each Put one 1000-byte value; at most 200 bytes retained per client. */
  @Test
  void memPutManyClients(long seed) {
    final int nclient = 100_000;
    final int mem = 1000;
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, false);
    try {
      String v = randValue(cfg.split(), mem);
      KvSrvClient[] cks = manyClerks(cfg, nclient);
      long m0 = cfg.status().retainedBytes();
      runAll(cks, ck -> ck.put("k", v));
      KvSrv.Status st = cfg.status();
      long m1 = st.retainedBytes();
      double f = (double) (m1 - m0) / nclient;
      log.info("memPutManyClients: {} ({} bytes per client)", st, f);
      assertTrue(m1 <= m0 + (long) nclient * 200,
          String.format("error: server using too much memory %d %d (%.2f per client)", m0, m1, f));
      assertEquals(v, await(cks[0].get("k")));
    } finally {
      cfg.cleanup();
    }
  }

  /** TestMemGetMany: 100,000 clerks each Get; Gets must not create per-client state (< 10 bytes per client). */
  @Test
  void memGetManyClients(long seed) {
    final int nclient = 100_000;
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, false);
    try {
      KvSrvClient ck = cfg.makeClient();
      await(ck.put("0", ""));
      cfg.deleteClient(ck);
      KvSrvClient[] cks = manyClerks(cfg, nclient);
      long m0 = cfg.status().retainedBytes();
      runAll(cks, c -> c.get("0"));
      KvSrv.Status st = cfg.status();
      long m1 = st.retainedBytes();
      double f = (double) (m1 - m0) / nclient;
      log.info("memGetManyClients: {} ({} bytes per client)", st, f);
      assertTrue(m1 < m0 + (long) nclient * 10,
          String.format("error: server using too much memory m0 %d m1 %d (%.2f per client)", m0, m1, f));
    } finally {
      cfg.cleanup();
    }
  }

  /** 1000 Appends of the same 1000-byte value by one clerk: cached old values must not pile up (< 3 MB). */
  @Test
  void memManyAppends(long seed) {
    final int n = 1000;
    final int mem = 1000;
    KvSrvHarness cfg = KvSrvHarness.start(testKit, seed, false);
    try {
      KvSrvClient ck = cfg.makeClient();
      String rdVal = randValue(cfg.split(), mem);
      for (int i = 0; i < n; i++) {
        await(ck.append("k", rdVal));
      }
      KvSrv.Status st = cfg.status();
      log.info("memManyAppends: {}", st);
      assertTrue(st.retainedBytes() < 3L * n * mem, "error: server using too much memory: " + st);
      assertEquals((long) n * mem, await(ck.get("k")).length());
    } finally {
      cfg.cleanup();
    }
  }

  /** Many plain clerks sharing one end: cheap objects, one network end (reliable net). */
  private static KvSrvClient[] manyClerks(KvSrvHarness cfg, int n) {
    ActorRef<KvSrv.Command> end = cfg.sharedEnd();
    KvSrvClient[] cks = new KvSrvClient[n];
    for (int i = 0; i < n; i++) {
      cks[i] = KvSrvClient.create(end, cfg.testKit().scheduler(), cfg.nextClientId());
    }
    return cks;
  }

  /** Each clerk does one operation; a bounded number are in flight at once. */
  private static void runAll(KvSrvClient[] cks, java.util.function.Function<KvSrvClient, CompletionStage<?>> op) {
    final int window = 32;
    for (int from = 0; from < cks.length; from += window) {
      List<CompletableFuture<?>> batch = new ArrayList<>(window);
      for (int i = from; i < Math.min(cks.length, from + window); i++) {
        batch.add(op.apply(cks[i]).toCompletableFuture());
      }
      await(CompletableFuture.allOf(batch.toArray(new CompletableFuture<?>[0])));
    }
  }
}
