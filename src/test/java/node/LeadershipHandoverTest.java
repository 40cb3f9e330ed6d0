package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import akka.actor.typed.javadsl.AskPattern;
import kvraft.KvServer;
import org.junit.jupiter.api.AfterEach;
import raft.core.RaftRole;
import raft.rsm.AdminReply;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.peer.MembershipStatus;

/**
 * Three node-mode {@link KvNode}s in this JVM (an ActorSystem each, remoting on loopback), as
 * {@code bin/raftkv node} runs them. A leader's node that shuts down hands its leadership over: the
 * other two elect the next leader while the stopping node is still running. Without the handover
 * they could not: the old leader heartbeats until its actor system terminates (and with
 * check-quorum and pre-vote a follower that hears from its leader does not campaign), so the next
 * election would come an election timeout after termination.
 */
class LeadershipHandoverTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private static final Duration ASK = Duration.ofSeconds(10);

  private final Map<PeerId, KvNode> nodes = new LinkedHashMap<>();
  private Duration electionTimeout;

  @AfterEach
  void stopAll() {
    // In parallel: a last leader's handover waits out its timeout for peers that are gone.
    CompletableFuture.allOf(nodes.values().stream().map(n -> CompletableFuture.runAsync(n::close))
        .toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Ports that are free now, below the ephemeral range (32768 on): a port of ServerSocket(0) may be
   * taken by an outgoing connection of another process before Artery binds it.
   */
  private static List<Integer> freePorts(int n) throws IOException {
    java.util.SplittableRandom random = new java.util.SplittableRandom();
    List<ServerSocket> held = new java.util.ArrayList<>();
    try {
      while (held.size() < n) {
        try {
          held.add(new ServerSocket(20_000 + random.nextInt(12_000), 50, java.net.InetAddress.getLoopbackAddress()));
        } catch (IOException inUse) {
          // taken: draw another
        }
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : held) s.close();
    }
  }

  private void startNodes() throws IOException {
    Path dir = Path.of("target", "kv-handover", UUID.randomUUID().toString());
    Map<PeerId, String> addresses = new LinkedHashMap<>();
    List<Integer> ports = freePorts(PEERS.size());
    for (int i = 0; i < PEERS.size(); i++) addresses.put(PEERS.get(i), "127.0.0.1:" + ports.get(i));
    Config config = NodeSettings.load(null, KvNode.NODE_LAYER);
    electionTimeout = NodeSettings.peerSettings(config).tickInterval().multipliedBy(NodeSettings.raftConfig(config).electionTicks());
    for (PeerId p : PEERS) nodes.put(p, KvNode.start(new NodeSpec(GROUP, p, addresses, dir, false), config));
  }

  /** The leader as the replicas of {@code through}'s group report it, waiting up to 30 s for one other than {@code not}. */
  private static MembershipStatus awaitLeader(KvNode through, Optional<PeerId> not) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Optional<MembershipStatus> l = GroupAdmin.await(through.admin().members(), ASK).leader()
          .filter(s -> !Optional.of(s.peer()).equals(not));
      if (l.isPresent()) return l.get();
      Thread.sleep(20);
    }
    throw new AssertionError("no leader" + not.map(n -> " other than " + n).orElse("") + " within 30 s");
  }

  private static LeadershipHandover.Outcome only(List<LeadershipHandover.Outcome> outcomes) {
    assertEquals(1, outcomes.size(), "one replica per node: " + outcomes);
    return outcomes.get(0);
  }

  @Test
  void aLeadersHandoverMovesLeadershipToAnotherVoterAndAFollowersDoesNothing() throws Exception {
    startNodes();
    MembershipStatus leader = awaitLeader(nodes.get(PEERS.get(0)), Optional.empty());
    PeerId follower = PEERS.stream().filter(p -> !p.equals(leader.peer())).findFirst().orElseThrow();

    LeadershipHandover.Outcome f = only(GroupAdmin.await(nodes.get(follower).leadershipHandover().handOver(), ASK));
    assertEquals(LeadershipHandover.Result.NOT_LEADER, f.result(), f.toString());
    assertEquals(leader.peer(), awaitLeader(nodes.get(follower), Optional.empty()).peer(), "a follower's handover moves nothing");

    LeadershipHandover.Outcome l = only(GroupAdmin.await(nodes.get(leader.peer()).leadershipHandover().handOver(), ASK));
    assertEquals(LeadershipHandover.Result.TRANSFERRED, l.result(), l.toString());
    MembershipStatus next = awaitLeader(nodes.get(follower), Optional.of(leader.peer()));
    assertEquals(l.to(), Optional.of(next.peer()), "the outcome names the new leader");
    assertTrue(next.term() > leader.term(), "a new term: " + next + " after " + leader);
    assertTrue(l.took().compareTo(electionTimeout) < 0, "handed over in " + l.took().toMillis()
        + " ms, less than one election timeout (" + electionTimeout.toMillis() + " ms)");
    System.out.printf("handover %s -> %s in %d ms (term %d -> %d)%n", leader.peer(), next.peer(), l.took().toMillis(),
        leader.term(), next.term());
  }

  @Test
  void theOnlyVoterKeepsItsLeadership() throws Exception {
    PeerId p = PEERS.get(0);
    Path dir = Path.of("target", "kv-handover", UUID.randomUUID().toString());
    nodes.put(p, KvNode.start(new NodeSpec(GROUP, p, Map.of(p, "127.0.0.1:" + freePorts(1).get(0)), dir, false),
        NodeSettings.load(null, KvNode.NODE_LAYER)));
    assertEquals(p, awaitLeader(nodes.get(p), Optional.empty()).peer());
    LeadershipHandover.Outcome o = only(GroupAdmin.await(nodes.get(p).leadershipHandover().handOver(), ASK));
    assertEquals(LeadershipHandover.Result.SINGLE_VOTER, o.result(), o.toString());
    assertEquals(p, awaitLeader(nodes.get(p), Optional.empty()).peer(), "still the leader");
  }

  /**
   * Polls the local replicas of {@code survivors} (in-JVM asks, no remote replica waited for) until
   * one says it leads in a term above {@code term}; when it did, as {@link System#nanoTime()}.
   */
  private static long awaitNewLeaderLocally(List<KvNode> survivors, long term) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (KvNode n : survivors) {
        for (var replica : n.localReplicas().values()) {
          try {
            AdminReply r = AskPattern.<KvServer.Command, AdminReply>ask(replica, KvServer.GetMembers::new,
                Duration.ofMillis(500), n.system().scheduler()).toCompletableFuture().get(1, TimeUnit.SECONDS);
            if (r instanceof AdminReply.Members m && m.status().role() == RaftRole.LEADER && m.status().term() > term) {
              return System.nanoTime();
            }
          } catch (Exception noAnswer) {
            // busy: ask again
          }
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no new leader within 30 s");
  }

  @Test
  void aLeadersNodeShuttingDownHandsLeadershipOverBeforeItStops() throws Exception {
    startNodes();
    MembershipStatus leader = awaitLeader(nodes.get(PEERS.get(0)), Optional.empty());
    KvNode stopping = nodes.remove(leader.peer());
    CompletableFuture<Long> terminatedAt = stopping.system().getWhenTerminated().toCompletableFuture()
        .thenApply(t -> System.nanoTime());
    long t0 = System.nanoTime();
    CompletableFuture<?> stopped = CoordinatedShutdown.get(stopping.system()).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture();
    long elected = awaitNewLeaderLocally(List.copyOf(nodes.values()), leader.term());
    stopped.get(60, TimeUnit.SECONDS);
    long stoppedAt = terminatedAt.get(60, TimeUnit.SECONDS);
    long electedMillis = (elected - t0) / 1_000_000;
    long stoppedMillis = (stoppedAt - t0) / 1_000_000;
    MembershipStatus next = awaitLeader(nodes.values().iterator().next(), Optional.of(leader.peer()));
    System.out.printf("shutdown of %s: %s led after %d ms, the node stopped after %d ms%n", leader.peer(), next.peer(),
        electedMillis, stoppedMillis);
    assertTrue(elected < stoppedAt, "the next leader (" + next.peer() + ", after " + electedMillis
        + " ms) was elected only after the old leader's node had stopped (" + stoppedMillis + " ms): no handover");
    assertFalse(next.peer().equals(leader.peer()));
    assertTrue(electedMillis < electionTimeout.toMillis(), "the next leader came after " + electedMillis
        + " ms, not within one election timeout (" + electionTimeout.toMillis() + " ms)");
  }
}
