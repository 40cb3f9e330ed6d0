package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import node.AkkaGroupAdmin;
import node.GroupAdmin;
import node.GroupMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MembershipRefusal;
import raft.core.RaftRole;
import raft.core.TransferResult;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.AdminReply;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;
import testkit.SeedExtension;

/**
 * The operator's side of {@link KvServer} (members, membership changes, leadership transfer) on
 * real actor replicas (in-memory journal, local transport, every message serialized), driven
 * through {@link AkkaGroupAdmin}: a new member joins as a learner, is promoted, an old voter
 * leaves; every refusal comes back typed with its reason and changes nothing.
 */
@ExtendWith(SeedExtension.class)
class KvServerMembershipTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Duration TICK = Duration.ofMillis(25);
  private static final PeerId P1 = PeerId.of("p1");
  private static final PeerId P2 = PeerId.of("p2");
  private static final PeerId P3 = PeerId.of("p3");
  private static final PeerId P4 = PeerId.of("p4");
  private static final List<PeerId> VOTERS = List.of(P1, P2, P3);
  private static ActorTestKit kit;

  private Group group;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create("KvServerMembershipTest");
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void stopGroup() {
    if (group != null) group.stopAll();
  }

  /** KV servers of one group on the local transport; a server not among the bootstrap voters joins. */
  private static final class Group {
    final GroupId id = GroupId.of("adm-" + UUID.randomUUID());
    final LocalPeerTransport transport = new LocalPeerTransport();
    final Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
    final Map<PeerId, ActorRef<RaftPeer.Command>> peers = new LinkedHashMap<>();
    final Membership bootstrap;
    final long seed;

    Group(List<PeerId> voters, long seed) {
      this.bootstrap = Membership.ofVoters(voters);
      this.seed = seed;
    }

    Group start(PeerId p) {
      PeerSettings settings = PeerSettings.defaults().withTickInterval(TICK).withSeed(seed);
      ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(id, p,
          applied -> RaftPeer.create(id, p, bootstrap, RaftConfig.defaults(), settings, transport, applied),
          ref -> {
            peers.put(p, ref);
            transport.register(p, ref);
          });
      servers.put(p, kit.spawn(KvServer.create(spec, KvSettings.defaults()), KvServer.actorName(id, p) + "-"
          + UUID.randomUUID()));
      return this;
    }

    void stop(PeerId p) {
      transport.unregister(p);
      peers.remove(p);
      kit.stop(servers.remove(p), TIMEOUT);
    }

    void stopAll() {
      for (PeerId p : List.copyOf(servers.keySet())) stop(p);
    }

    /** Messages to {@code p} are lost (its own still arrive); {@link #heal} undoes it. */
    void cut(PeerId p) {
      transport.unregister(p);
    }

    void heal(PeerId p) {
      transport.register(p, peers.get(p));
    }

    AkkaGroupAdmin admin() {
      return new AkkaGroupAdmin(kit.system(), servers, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    AkkaKvClient client() {
      return new AkkaKvClient(kit.system(), servers, new AkkaKvClient.Settings(Duration.ofMillis(500), Duration.ofSeconds(10)));
    }

    AdminReply ask(PeerId p, java.util.function.Function<ActorRef<AdminReply>, KvServer.Command> request) {
      TestProbe<AdminReply> probe = kit.createTestProbe();
      servers.get(p).tell(request.apply(probe.ref()));
      return probe.expectMessageClass(AdminReply.class, TIMEOUT);
    }

    MembershipStatus status(PeerId p) {
      return ((AdminReply.Members) ask(p, KvServer.GetMembers::new)).status();
    }

    /** Waits until the running servers agree on a leader that has committed an entry of its term (a write). */
    PeerId awaitLeaderWithCommit() {
      try (AkkaKvClient c = client()) {
        assertEquals(KvReply.DONE, KvGroup.await(c.put("warm-up", "1")));
      }
      TestProbe<Object> probe = kit.createTestProbe();
      return probe.awaitAssert(TIMEOUT, Duration.ofMillis(50), () -> {
        GroupMembers m = GroupAdmin.await(admin().members(), TIMEOUT);
        assertTrue(m.leader().isPresent(), () -> "no leader: " + m);
        return m.leader().get().peer();
      });
    }
  }

  private Group group(List<PeerId> voters, long seed, PeerId... running) {
    group = new Group(voters, seed);
    for (PeerId p : running) group.start(p);
    return group;
  }

  private static void eventually(Duration max, Runnable check) {
    kit.createTestProbe().awaitAssert(max, Duration.ofMillis(50), () -> {
      check.run();
      return null;
    });
  }

  private static AdminReply await(java.util.concurrent.CompletionStage<AdminReply> stage) {
    return GroupAdmin.await(stage, TIMEOUT);
  }

  private static AdminReply.MembershipRefused refused(MembershipRefusal reason, PeerId peer) {
    return new AdminReply.MembershipRefused(reason, Optional.of(peer));
  }

  @Test
  void aNewMemberJoinsAsALearnerIsPromotedAndAnOldVoterLeaves(long seed) {
    Group g = group(VOTERS, seed, P1, P2, P3, P4);
    PeerId leader = g.awaitLeaderWithCommit();
    assertEquals(RaftRole.FOLLOWER, g.status(P4).role(), "a joining replica never campaigns");
    try (AkkaGroupAdmin admin = g.admin(); AkkaKvClient kv = g.client()) {
      AdminReply.Changed added = assertInstanceOf(AdminReply.Changed.class,
          await(admin.change(new MembershipChange.AddLearner(P4))));
      assertEquals(new Membership(VOTERS, List.of(P4), List.of()), added.membership());
      assertEquals(KvReply.DONE, KvGroup.await(kv.put("a", "1")));
      // The learner catches up: its own view shows it as a learner once it applied the change.
      eventually(TIMEOUT, () -> assertTrue(g.status(P4).membership().isLearner(P4), () -> "p4's view: " + g.status(P4)));
      AdminReply.Changed promoted = assertInstanceOf(AdminReply.Changed.class,
          await(admin.change(new MembershipChange.PromoteLearner(P4))));
      assertEquals(Membership.ofVoters(List.of(P1, P2, P3, P4)), promoted.membership());
      PeerId old = VOTERS.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      AdminReply.Changed removed = assertInstanceOf(AdminReply.Changed.class,
          await(admin.change(new MembershipChange.Remove(old))));
      assertEquals(4 - 1, removed.membership().voters().size());
      assertTrue(!removed.membership().contains(old));
      g.stop(old);
      assertEquals(KvReply.DONE, KvGroup.await(kv.put("b", "2")));
      assertEquals(new KvReply.Value("1"), KvGroup.await(kv.get("a")));
      GroupMembers m = GroupAdmin.await(admin.members(), TIMEOUT);
      assertEquals(removed.membership(), m.view().orElseThrow().membership());
    }
  }

  @Test
  void everyRefusalIsTypedWithItsReasonAndChangesNothing(long seed) {
    Group g = group(VOTERS, seed, P1, P2, P3);
    PeerId leader = g.awaitLeaderWithCommit();
    PeerId follower = VOTERS.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
    try (AkkaGroupAdmin admin = g.admin()) {
      Membership before = g.status(leader).membership();
      assertEquals(refused(MembershipRefusal.ALREADY_MEMBER, follower),
          await(admin.change(new MembershipChange.AddLearner(follower))), "member exists");
      assertEquals(refused(MembershipRefusal.NOT_A_LEARNER, PeerId.of("p9")),
          await(admin.change(new MembershipChange.PromoteLearner(PeerId.of("p9")))), "unknown learner");
      assertEquals(refused(MembershipRefusal.NOT_A_LEARNER, follower),
          await(admin.change(new MembershipChange.PromoteLearner(follower))), "a voter is no learner");
      assertEquals(refused(MembershipRefusal.NOT_A_MEMBER, PeerId.of("p9")),
          await(admin.change(new MembershipChange.Remove(PeerId.of("p9")))), "remove a stranger");
      assertEquals(new AdminReply.MembershipRefused(MembershipRefusal.NO_CHANGE, Optional.empty()),
          g.ask(leader, to -> new KvServer.ChangeMembership(List.of(), to)), "an empty change");
      assertEquals(new AdminReply.NotLeader(Optional.of(leader)),
          g.ask(follower, to -> new KvServer.ChangeMembership(List.of(new MembershipChange.AddLearner(P4)), to)),
          "a follower names the leader");
      assertEquals(new AdminReply.NotLeader(Optional.of(leader)),
          g.ask(follower, to -> new KvServer.TransferLeadership(Optional.of(leader), to)));
      // Transfers: to a stranger, to the leader itself.
      assertEquals(new AdminReply.TransferRefused(TransferResult.Reason.NOT_A_MEMBER, Optional.of(PeerId.of("p9"))),
          await(admin.transferLeadership(Optional.of(PeerId.of("p9")))), "transfer to a non-member");
      assertEquals(new AdminReply.TransferRefused(TransferResult.Reason.ALREADY_LEADER, Optional.of(leader)),
          await(admin.transferLeadership(Optional.of(leader))));
      assertEquals(before, g.status(leader).membership(), "nothing changed");

      // A learner that is not running stays at match 0: promoting it is LEARNER_BEHIND once the
      // leader's log is more than learner-catch-up-entries (100) ahead; transferring to it, LEARNER.
      assertInstanceOf(AdminReply.Changed.class, await(admin.change(new MembershipChange.AddLearner(P4))));
      try (AkkaKvClient kv = g.client()) {
        List<java.util.concurrent.CompletableFuture<KvReply>> puts = new java.util.ArrayList<>();
        for (int i = 0; i < RaftConfig.DEFAULT_LEARNER_CATCH_UP_ENTRIES + 10; i++)
          puts.add(kv.put("k" + i, "v").toCompletableFuture());
        for (var put : puts) assertEquals(KvReply.DONE, KvGroup.await(put)); // every one in the log, not just the last
      }
      assertTrue(g.status(leader).lastIndex() > RaftConfig.DEFAULT_LEARNER_CATCH_UP_ENTRIES + 10, "the log ran ahead");
      try (AkkaKvClient kv = g.client()) {
        assertEquals(KvReply.DONE, KvGroup.await(kv.put("last", "v")));
      }
      assertEquals(refused(MembershipRefusal.LEARNER_BEHIND, P4),
          await(admin.change(new MembershipChange.PromoteLearner(P4))), "lagging learner");
      assertEquals(new AdminReply.TransferRefused(TransferResult.Reason.LEARNER, Optional.of(P4)),
          await(admin.transferLeadership(Optional.of(P4))), "transfer to a learner");

      // One change at a time: with both followers cut off the first cannot commit, the second is refused.
      PeerId now = g.awaitLeaderWithCommit();
      VOTERS.stream().filter(p -> !p.equals(now)).forEach(g::cut);
      TestProbe<AdminReply> first = kit.createTestProbe();
      g.servers.get(now).tell(new KvServer.ChangeMembership(List.of(new MembershipChange.Remove(P4)), first.ref()));
      assertEquals(new AdminReply.MembershipRefused(MembershipRefusal.CHANGE_PENDING, Optional.empty()),
          g.ask(now, to -> new KvServer.ChangeMembership(List.of(new MembershipChange.AddLearner(PeerId.of("p5"))), to)),
          "change pending");
      VOTERS.stream().filter(p -> !p.equals(now)).forEach(g::heal);
      AdminReply firstReply = first.expectMessageClass(AdminReply.class, TIMEOUT);
      assertTrue(firstReply instanceof AdminReply.Changed || firstReply instanceof AdminReply.NotLeader, firstReply::toString);
    }
  }

  @Test
  void theLastVoterCannotLeaveAndHasNoOneToHandOverTo(long seed) {
    Group g = group(List.of(P1), seed, P1);
    PeerId leader = g.awaitLeaderWithCommit();
    try (AkkaGroupAdmin admin = g.admin()) {
      assertEquals(new AdminReply.MembershipRefused(MembershipRefusal.LAST_VOTER, Optional.empty()),
          await(admin.change(new MembershipChange.Remove(leader))));
      assertEquals(new AdminReply.TransferRefused(TransferResult.Reason.NO_OTHER_VOTER, Optional.empty()),
          await(admin.transferLeadership(Optional.empty())));
      assertEquals(Membership.ofVoters(List.of(P1)), g.status(P1).membership());
    }
  }

  @Test
  void aJoinedMemberRestartsWithTheMembershipOfItsJournalNotItsBootstrap(long seed) {
    Group g = group(VOTERS, seed, P1, P2, P3, P4);
    g.awaitLeaderWithCommit();
    Membership four;
    try (AkkaGroupAdmin admin = g.admin()) {
      assertInstanceOf(AdminReply.Changed.class, await(admin.change(new MembershipChange.AddLearner(P4))));
      eventually(TIMEOUT, () -> assertTrue(g.status(P4).membership().isLearner(P4)));
      AdminReply.Changed promoted = assertInstanceOf(AdminReply.Changed.class,
          await(admin.change(new MembershipChange.PromoteLearner(P4))));
      four = promoted.membership();
      // The commit index is written only along with entries: one more write puts "promotion
      // committed" into p4's journal (a peer restarted alone knows no more than its journal).
      try (AkkaKvClient kv = g.client()) {
        assertEquals(KvReply.DONE, KvGroup.await(kv.put("after", "1")));
      }
      eventually(TIMEOUT, () -> assertTrue(g.status(P4).commitIndex() > promoted.index(), () -> "" + g.status(P4)));
    }
    // Everyone down; p4 alone comes back with its bootstrap (p1..p3, p4 not a voter) and its journal.
    g.stopAll();
    g.start(P4);
    Membership expected = four;
    eventually(TIMEOUT, () -> {
      MembershipStatus s = g.status(P4);
      assertEquals(expected, s.membership(), () -> "p4 after a restart alone: " + s);
      assertTrue(s.membershipIndex() > 0, () -> "from the log, not the bootstrap: " + s);
    });
  }
}
