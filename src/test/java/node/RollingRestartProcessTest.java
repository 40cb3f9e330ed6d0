package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import node.http.HttpKvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import testkit.SeedExtension;
import testkit.linearizability.KvModel;
import testkit.linearizability.Linearizability;
import testkit.nodes.HttpKvWorkload;
import testkit.nodes.LeaderProbe;
import testkit.nodes.NodeProcesses;

/**
 * A rolling restart of a group of three real {@code bin/raftkv node} processes under load: clients
 * write over HTTP through all three nodes (moving to the next node when theirs is down); each node
 * in turn gets SIGTERM, must exit 0, is started again and catches up (its applied index reaches the
 * leader's commit index of when it came back) before the next one goes. A leader hands its
 * leadership over before it stops ({@link GracefulShutdown}), so each restart leaves the group
 * without a leader for at most one election timeout ({@code election-ticks × tick-interval} of the
 * nodes' config).
 *
 * <p>Measured per restart: a {@link LeaderProbe} polls {@code GET /status} of the node that comes
 * next in the order (up for the whole restart) back to back, from one second before the SIGTERM
 * until the restarted node has caught up; a sample has a leader if a replica leads in the highest
 * term reported. The gap is from the send of the last sample with a leader before a run without
 * one to the answer of the first with one after (an over-estimate by up to two polls). Also
 * printed: the longest time in that window without any client's write acknowledged. The history
 * must be linearizable (strict KV model): no acknowledged write is lost; unknown outcomes stay
 * open.
 */
@ExtendWith(SeedExtension.class)
class RollingRestartProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final String CLIENT = "raftkv.kv.client.attempt-timeout = 1s\nraftkv.kv.client.deadline = 10s\n";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  /** Two clients through each node. */
  private static final int CLIENTS = 6;

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static RaftStatus awaitLeader(String base) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<RaftStatus> l = LeaderProbe.leader(LeaderProbe.status(base));
      if (l.isPresent()) return l.get();
      Thread.sleep(50);
    }
    throw new AssertionError("no leader seen through " + base + " within 30 s");
  }

  /** Waits until {@code p}'s replica has applied what the leader had committed when {@code p} came back. */
  private static void awaitCaughtUp(PeerId p, String base) throws InterruptedException {
    long target = awaitLeader(base).commitIndex();
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<RaftStatus> self = LeaderProbe.status(base).stream().filter(s -> s.id().equals(p)).findFirst();
      if (self.isPresent() && self.get().appliedIndex() >= target) return;
      Thread.sleep(50);
    }
    throw new AssertionError(p + " did not apply up to " + target + " within 60 s of its restart");
  }

  /** One restart's numbers, printed as a JSON line. */
  private record Restart(PeerId node, boolean wasLeader, PeerId leaderAfter, long exitMillis, long catchUpMillis,
      LeaderProbe.Gap gap, double pollMaxMillis, double clientWriteGapMillis) {
    String json(long electionTimeoutMillis) {
      return String.format("{\"restarted\":\"%s\",\"was_leader\":%b,\"leader_after\":\"%s\",\"sigterm_to_exit_ms\":%d,"
              + "\"restart_to_caught_up_ms\":%d,\"leaderless_ms\":%.1f,\"samples_without_leader\":%d,"
              + "\"poll_interval_max_ms\":%.1f,\"client_write_gap_ms\":%.1f,\"election_timeout_ms\":%d}", node, wasLeader,
          leaderAfter, exitMillis, catchUpMillis, gap.millis(), gap.samplesWithout(), pollMaxMillis, clientWriteGapMillis,
          electionTimeoutMillis);
    }
  }

  @Test
  void restartingEveryNodeInTurnUnderLoadLosesNoAcknowledgedWriteAndEachGapIsAtMostOneElectionTimeout(long seed)
      throws Exception {
    Path dir = Path.of("target", "kv-rolling", UUID.randomUUID().toString());
    try (NodeProcesses nodes = new NodeProcesses(GROUP, PEERS, dir, CLIENT)) {
      // Fixed HTTP ports, so that a restarted node serves where its clients send.
      for (PeerId p : PEERS) nodes.configure(p, "raftkv.node.http.port = " + freePort() + "\n");
      Map<PeerId, String> http = new LinkedHashMap<>();
      nodes.startAll(PEERS);
      for (PeerId p : PEERS) http.put(p, nodes.awaitHttp(p));
      long electionTimeout = nodes.electionTimeout(PEERS.get(0)).toMillis();
      awaitLeader(http.get(PEERS.get(0)));
      List<Restart> restarts = new ArrayList<>();
      // A client whose node is down moves on to the next.
      HttpKvWorkload clients = new HttpKvWorkload(List.copyOf(http.values()), CLIENTS, REQUEST_TIMEOUT, seed, true);
      try {
        Thread.sleep(2_000);
        for (int i = 0; i < PEERS.size(); i++) {
          PeerId p = PEERS.get(i);
          String watcher = http.get(PEERS.get((i + 1) % PEERS.size()));
          try (LeaderProbe probe = new LeaderProbe(watcher)) {
            Thread.sleep(1_000);
            boolean wasLeader = awaitLeader(watcher).id().equals(p);
            long from = System.nanoTime();
            int exit = nodes.terminate(p);
            long exitMillis = (System.nanoTime() - from) / 1_000_000;
            assertEquals(0, exit, p + " exit code after SIGTERM; see " + nodes.log(p));
            String base = nodes.start(p);
            long restarted = System.nanoTime();
            assertEquals(http.get(p), base, p + " serves where it did");
            awaitCaughtUp(p, base);
            long caughtUp = System.nanoTime();
            probe.close();
            Restart r = new Restart(p, wasLeader, awaitLeader(watcher).id(), exitMillis, (caughtUp - restarted) / 1_000_000,
                probe.longestGap(from), probe.maxPollMillis(from), clients.longestWriteGapMillis(from, caughtUp));
            System.out.println("RollingRestartProcessTest: " + r.json(electionTimeout));
            restarts.add(r);
          }
        }
      } finally {
        clients.close();
      }
      assertTrue(restarts.stream().anyMatch(Restart::wasLeader), "no restart hit the leader: " + restarts);
      for (Restart r : restarts) {
        assertTrue(r.gap().millis() <= electionTimeout, () -> "restarting " + r.node() + (r.wasLeader() ? " (the leader)" : "")
            + " left the group without a leader for " + r.gap().millis() + " ms, more than one election timeout ("
            + electionTimeout + " ms)");
      }
      assertEquals(List.of(), clients.rejected(), "no operation answered with an error that is a bug");
      System.out.println("history: " + clients.history().size() + " operations, " + clients.unknown() + " unknown, "
          + clients.writeAcks().size() + " writes acknowledged");
      Linearizability.assertLinearizable(KvModel.strict(), clients.history().history());
    }
  }
}
