package kvraft;

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
import node.GroupAdmin;
import node.GroupMembers;
import node.http.HttpGroupAdmin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.RaftStatus;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;
import testkit.SeedExtension;
import testkit.linearizability.KvModel;
import testkit.linearizability.Linearizability;
import testkit.nodes.HttpKvWorkload;
import testkit.nodes.LeaderProbe;
import testkit.nodes.NodeProcesses;

/**
 * Membership changes of a running group of real {@code bin/raftkv node} processes while clients
 * write over HTTP, driven as an operator would: {@code bin/raftkv admin} (a child JVM) and the
 * {@code /admin} HTTP API. Every history must be linearizable (strict KV model; an undecided check
 * fails).
 */
@ExtendWith(SeedExtension.class)
class KvMembershipProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final PeerId P1 = PeerId.of("p1");
  private static final PeerId P2 = PeerId.of("p2");
  private static final PeerId P3 = PeerId.of("p3");
  private static final PeerId P4 = PeerId.of("p4");
  private static final List<PeerId> VOTERS = List.of(P1, P2, P3);
  private static final String CLIENT = "raftkv.kv.client.attempt-timeout = 1s\nraftkv.kv.client.deadline = 10s\n";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final int CLIENTS = 4;
  /** Two clients through each of the three nodes. */
  private static final int CLIENTS_3 = 6;

  private static PeerId awaitLeader(String base, Optional<PeerId> not) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<PeerId> l = LeaderProbe.leader(LeaderProbe.status(base)).map(RaftStatus::id);
      if (l.isPresent() && !l.equals(not)) return l.get();
      Thread.sleep(50);
    }
    throw new AssertionError("no leader" + not.map(n -> " other than " + n).orElse("") + " within 30 s");
  }

  private static NodeProcesses.CliRun admin(NodeProcesses nodes, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("admin"));
    all.addAll(List.of(args));
    NodeProcesses.CliRun run = nodes.cli(all);
    System.out.println("bin/raftkv " + String.join(" ", run.args()) + " -> exit " + run.exitCode() + "\n" + run.output());
    return run;
  }

  private static Membership membership(GroupAdmin admin) {
    GroupMembers m = GroupAdmin.await(admin.members(), Duration.ofSeconds(15));
    return m.view().map(MembershipStatus::membership).orElseThrow(() -> new AssertionError("no replica answered"));
  }

  private static void assertHistory(HttpKvWorkload clients) {
    assertEquals(List.of(), clients.rejected(), "no operation answered with an error that is a bug");
    System.out.println("history: " + clients.history().size() + " operations, " + clients.unknown() + " unknown, "
        + clients.writeAcks().size() + " writes acknowledged");
    Linearizability.assertLinearizable(KvModel.strict(), clients.history().history());
  }

  /**
   * p4 starts as a new node ({@code raftkv.node.join = true}), is added as a learner with
   * {@code bin/raftkv admin --config ... add-learner p4}, promoted over {@code /admin} once it has
   * caught up, and an old voter (a follower) is removed with {@code bin/raftkv admin --http ...
   * remove}; clients write through the leader's and p4's HTTP APIs all along; {@code bin/raftkv
   * admin --http <p4> members} lists the new voters. Then the removed
   * node and the other old follower are killed: the survivors (the leader and p4) are two of the
   * three voters, so writes going on proves p4 votes and acknowledges as a voter.
   */
  @Test
  void aFourthNodeJoinsAsALearnerIsPromotedAndAnOldVoterIsRemovedWhileClientsWrite(long seed) throws Exception {
    Path dir = Path.of("target", "kv-membership", UUID.randomUUID().toString());
    List<PeerId> all = List.of(P1, P2, P3, P4);
    try (NodeProcesses nodes = new NodeProcesses(GROUP, all, dir, CLIENT + "raftkv.node.initial-voters = [p1, p2, p3]\n")) {
      nodes.configure(P4, "raftkv.node.join = true\n");
      Map<PeerId, String> http = new LinkedHashMap<>();
      nodes.startAll(all);
      for (PeerId p : all) http.put(p, nodes.awaitHttp(p));
      PeerId leader = awaitLeader(http.get(P1), Optional.empty());
      PeerId removed = VOTERS.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      PeerId other = VOTERS.stream().filter(p -> !p.equals(leader) && !p.equals(removed)).findFirst().orElseThrow();
      try (GroupAdmin admin = new HttpGroupAdmin(URI.create(http.get(leader)), Duration.ofSeconds(10));
           HttpKvWorkload clients = new HttpKvWorkload(List.of(http.get(leader), http.get(P4)), CLIENTS,
               REQUEST_TIMEOUT, seed)) {
        assertEquals(VOTERS, membership(admin).voters().stream().sorted().toList(), "the voters before the changes");
        assertTrue(membership(admin).learners().isEmpty(), "p4 is not a member before it is added");
        Thread.sleep(1_500);

        NodeProcesses.CliRun add = admin(nodes, "--config", nodes.confFile(other).toString(), "add-learner", "p4");
        assertEquals(0, add.exitCode(), add.output());
        assertTrue(add.output().contains("p4 added as a learner"), add.output());
        assertTrue(membership(admin).learners().contains(P4), "p4 is a learner");

        // Promotion is refused (LEARNER_BEHIND, nothing changes) until p4 has caught up; it gets the whole log.
        long t0 = System.nanoTime();
        AdminReply promoted;
        int behind = 0;
        while (true) {
          promoted = GroupAdmin.await(admin.change(new MembershipChange.PromoteLearner(P4)), Duration.ofSeconds(15));
          if (!(promoted instanceof AdminReply.MembershipRefused r && r.reason() == MembershipRefusal.LEARNER_BEHIND)
              || System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(20)) break;
          behind++;
          Thread.sleep(100);
        }
        AdminReply p = promoted;
        assertTrue(p instanceof AdminReply.Changed c && c.membership().isVoter(P4), () -> "promote p4: " + p);
        System.out.printf("p4 promoted after %d ms (%d refusals as behind)%n", (System.nanoTime() - t0) / 1_000_000, behind);
        Thread.sleep(1_000);

        NodeProcesses.CliRun remove = admin(nodes, "--http", http.get(other), "remove", removed.id());
        assertEquals(0, remove.exitCode(), remove.output());
        assertTrue(remove.output().contains(removed + " removed"), remove.output());
        Membership after = membership(admin);
        assertEquals(List.of(leader, other, P4).stream().sorted().toList(), after.voters().stream().sorted().toList(),
            "voters after the change: " + after.describe());
        assertTrue(after.learners().isEmpty() && !after.isJoint(), after.describe());
        Thread.sleep(1_000);

        NodeProcesses.CliRun members = admin(nodes, "--http", http.get(P4), "members");
        assertEquals(0, members.exitCode(), members.output());
        assertTrue(members.output().contains("voters:   " + String.join(" ", List.of(leader.id(), other.id(), "p4").stream()
            .sorted().toList())), members.output());
        // The kills below leave the leader's and p4's nodes, whose APIs the clients use; should the
        // load have moved leadership meanwhile, move it back as an operator would.
        if (!awaitLeader(http.get(P4), Optional.empty()).equals(leader)) {
          AdminReply t = GroupAdmin.await(admin.transferLeadership(Optional.of(leader)), Duration.ofSeconds(15));
          assertTrue(t instanceof AdminReply.TransferStarted, () -> "transfer back to " + leader + ": " + t);
          assertTrue(admin.awaitLeader(leader, Duration.ofSeconds(10)).isLeader(leader), leader + " leads again");
        }
        nodes.kill(removed);
        nodes.kill(other);
        int before = clients.writeAcks().size();
        Thread.sleep(3_000);
        int acked = clients.writeAcks().size() - before;
        assertTrue(acked > 10, () -> "writes go on with the leader and p4 alone (a majority of 3 only with p4's vote): "
            + acked + " acknowledged in 3 s");
        System.out.printf("after killing %s (removed) and %s: %d writes acknowledged in 3 s by %s and p4%n", removed, other,
            acked, leader);
        clients.close();
        assertHistory(clients);
      }
    }
  }

  /**
   * The leader's process is removed from the group ({@code bin/raftkv admin --http ... remove})
   * while clients write through all three nodes' HTTP APIs (the removed node's too: its client
   * routes to the group, so writes through it go on after the removal). The removed leader hands leadership over before
   * it steps down, so the group is without a leader for at most one election timeout
   * ({@code election-ticks × tick-interval} of the nodes' config, the lower end of the randomized
   * range). Measured: a thread polls a follower's {@code GET /status} (every replica's role and
   * term) back to back, a sample having a leader if a replica leads in the highest term reported;
   * the gap is from the send of the last sample with a leader before a run without one to the
   * answer of the first with one after (an over-estimate by up to two polls). Also printed: the
   * longest time the clients had no write acknowledged from the removal on.
   */
  @Test
  void removingTheLeadersProcessLeavesTheGroupLeaderlessForAtMostOneElectionTimeout(long seed) throws Exception {
    Path dir = Path.of("target", "kv-membership", UUID.randomUUID().toString());
    try (NodeProcesses nodes = new NodeProcesses(GROUP, VOTERS, dir, CLIENT)) {
      Map<PeerId, String> http = new LinkedHashMap<>();
      nodes.startAll(VOTERS);
      for (PeerId p : VOTERS) http.put(p, nodes.awaitHttp(p));
      Duration electionTimeout = nodes.electionTimeout(P1);
      PeerId leader = awaitLeader(http.get(P1), Optional.empty());
      List<String> followers = VOTERS.stream().filter(p -> !p.equals(leader)).map(http::get).toList();
      try (LeaderProbe probe = new LeaderProbe(followers.get(0));
           HttpKvWorkload clients = new HttpKvWorkload(List.of(followers.get(0), followers.get(1), http.get(leader)),
               CLIENTS_3, REQUEST_TIMEOUT, seed)) {
        Thread.sleep(2_000);
        assertTrue(probe.hasLeaderSince(Long.MIN_VALUE), "the probe saw the leader before the change");
        long removeAt = System.nanoTime();
        NodeProcesses.CliRun remove = admin(nodes, "--http", followers.get(0), "remove", leader.id());
        assertEquals(0, remove.exitCode(), remove.output());
        assertTrue(remove.output().contains(leader + " removed"), remove.output());
        long removedAt = System.nanoTime();
        PeerId next = awaitLeader(followers.get(1), Optional.of(leader));
        Thread.sleep(2_000);
        long end = System.nanoTime();
        probe.close();
        try (GroupAdmin admin = new HttpGroupAdmin(URI.create(followers.get(1)), Duration.ofSeconds(10))) {
          Membership m = membership(admin);
          assertTrue(!m.isVoter(leader) && !m.learners().contains(leader) && m.voters().size() == 2, m.describe());
        }
        clients.close();
        long throughRemoved = clients.writesAckedThrough(2, 3, removedAt);

        LeaderProbe.Gap gap = probe.longestGap(removeAt);
        double clientGap = clients.longestWriteGapMillis(removeAt, end);
        System.out.printf("KvMembershipProcessTest: {\"removed_leader\":\"%s\",\"new_leader\":\"%s\","
                + "\"leaderless_ms\":%.1f,\"samples_without_leader\":%d,\"poll_interval_max_ms\":%.1f,\"samples\":%d,"
                + "\"client_write_gap_ms\":%.1f,\"election_timeout_ms\":%d,\"writes_via_removed_node_after\":%d}%n", leader,
            next, gap.millis(), gap.samplesWithout(), probe.maxPollMillis(removeAt), probe.samples(), clientGap,
            electionTimeout.toMillis(), throughRemoved);
        assertTrue(gap.millis() <= electionTimeout.toMillis(), () -> "without a leader for " + gap.millis()
            + " ms, more than one election timeout (" + electionTimeout.toMillis() + " ms)");
        assertTrue(throughRemoved > 0, "the removed node's HTTP API still serves: its client routes to the group");
        assertHistory(clients);
      }
    }
  }
}
