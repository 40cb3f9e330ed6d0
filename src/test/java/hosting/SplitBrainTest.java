package hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import kvraft.AkkaKvClient;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import testkit.linearizability.HistoryRecorder;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvOutput;
import testkit.linearizability.Linearizability;

/**
 * Five nodes (ActorSystems in one JVM, Artery TCP in test mode), one KV group of five replicas,
 * one per node, under the split-brain resolver (keep-majority, stable-after 3 s). The network is
 * cut 2|3 with the oldest node (sharding coordinator, first SBR leader) on the minority side, while
 * clients on the majority side write. SBR must down the minority (which shuts itself down) and keep
 * the majority; no replica may run on two nodes at once; the group must keep serving; the history
 * must be linearizable and every acknowledged append present exactly once.
 */
@ExtendWith(SeedExtension.class)
class SplitBrainTest {
  private static final List<String> KEYS = List.of("a0", "a1");
  private static final int CLIENTS = 3;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SplitBrainTest.class);

  @Test
  void partitionTwoThreeDownsTheMinorityAndRunsNoReplicaTwice(long seed) throws Exception {
    try (HostedCluster cluster = new HostedCluster(5, null, seed, null, "")) {
      for (int i = 0; i < 5; i++) cluster.placement.place(ReplicaHostingTest.replica(i + 1), cluster.address(i));
      cluster.startAll();
      cluster.awaitMembers(0, 5);
      cluster.bootstrap(2);
      HistoryRecorder<KvInput, KvOutput> history = new HistoryRecorder<>();
      Map<String, List<String>> acked = new ConcurrentHashMap<>();
      for (String k : KEYS) acked.put(k, Collections.synchronizedList(new ArrayList<>()));
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> clients = new ArrayList<>();
      try (AkkaKvClient c = cluster.client(2, 5)) {
        ReplicaHostingTest.put(c, "warm", "up");
        for (int i = 0; i < CLIENTS; i++) {
          int id = i;
          Thread t = new Thread(() -> workload(id, seed, c, history, stop, acked), "kv-client-" + i);
          t.start();
          clients.add(t);
        }
        Thread.sleep(2_000);
        int ackedBefore = ackedCount(acked);
        cluster.partition(List.of(0, 1), List.of(2, 3, 4));
        // The minority downs itself and shuts down; the majority downs the minority and carries on.
        HostedCluster.awaitTerminated(cluster.node(0));
        HostedCluster.awaitTerminated(cluster.node(1));
        cluster.awaitMembers(2, 3);
        cluster.awaitMembers(4, 3);
        int ackedAtResolution = ackedCount(acked);
        // The three survivors are a majority of five: writes go on (after an election if the leader was cut off).
        long deadline = System.nanoTime() + HostedCluster.TIMEOUT.toNanos();
        while (ackedCount(acked) < ackedAtResolution + 20 && System.nanoTime() < deadline) Thread.sleep(100);
        stop.set(true);
        for (Thread t : clients) t.join(30_000);
        for (Thread t : clients) assertTrue(!t.isAlive(), "client thread still running: " + t.getName());
        assertTrue(ackedBefore > 0, "no write acknowledged before the partition");
        assertTrue(ackedCount(acked) >= ackedAtResolution + 20,
            "writes stalled after SBR resolved the partition: " + ackedAtResolution + " acknowledged then, "
                + ackedCount(acked) + " " + HostedCluster.TIMEOUT + " later");
        LOG.info("acknowledged appends: {} before the partition, {} when SBR had resolved it, {} in all; {} operations "
            + "recorded", ackedBefore, ackedAtResolution, ackedCount(acked), history.size());
        for (String k : KEYS) assertEachAckedOnce(k, c.await(c.get(k)), acked.get(k));
      }
      for (int i = 0; i < 5; i++) {
        ReplicaKey key = ReplicaHostingTest.replica(i + 1);
        Set<String> expected = i < 2 ? Set.of() : Set.of(cluster.address(i).toString());
        assertEquals(expected, cluster.running.nodesRunning(key), () -> key + " runs on");
        assertEquals(Set.of(cluster.address(i).toString()), cluster.running.nodesEverRan(key), () -> key + " ran on");
      }
      assertEquals(List.of(), cluster.running.violations());
      Linearizability.assertLinearizable(history.history());
    }
  }

  private static int ackedCount(Map<String, List<String>> acked) {
    return acked.values().stream().mapToInt(List::size).sum();
  }

  /** Every acknowledged token is in the final value exactly once. */
  private static void assertEachAckedOnce(String key, KvReply reply, List<String> acked) {
    assertInstanceOf(KvReply.Value.class, reply, () -> "final read of " + key);
    List<String> tokens = Arrays.asList(((KvReply.Value) reply).value().split(";"));
    for (String t : acked)
      assertEquals(1, Collections.frequency(tokens, t), () -> "acknowledged append " + t + " in " + key + ": " + tokens);
  }

  private static void workload(int id, long seed, AkkaKvClient c, HistoryRecorder<KvInput, KvOutput> h,
      AtomicBoolean stop, Map<String, List<String>> acked) {
    SplittableRandom rnd = new SplittableRandom(seed + id);
    int n = 0;
    while (!stop.get()) {
      String key = KEYS.get(rnd.nextInt(KEYS.size()));
      if (rnd.nextInt(100) < 60) {
        String token = "c" + id + "-" + n++;
        var call = h.call(id, new KvInput.Append(key, token + ";"));
        if (c.await(c.append(key, token + ";")) instanceof KvReply.Done) {
          call.returned(KvOutput.DONE);
          acked.get(key).add(token);
        }
      } else {
        var call = h.call(id, new KvInput.Get(key));
        KvReply r = c.await(c.get(key));
        if (r instanceof KvReply.Value v) call.returned(KvOutput.value(v.value()));
        else if (r instanceof KvReply.NoKey) call.returned(KvOutput.NO_KEY);
      }
    }
  }
}
