package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MembershipRefusal;
import raft.core.ProposeResult;
import raft.core.TransferResult;
import raft.message.MembershipChange;
import testkit.SeedExtension;

/** The peer's ChangeMembership and TransferLeadership commands, on three actor peers with ManualTime. */
@ExtendWith(SeedExtension.class)
class RaftPeerMembershipTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static ActorTestKit kit;
  private static ManualTime time;
  private PeerGroup group;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(ManualTime.config()
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
    time = ManualTime.get(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void stopGroup() {
    if (group != null) group.stopAll();
  }

  private PeerGroup group(long seed) {
    group = new PeerGroup(kit, time, GroupId.of("m" + GROUPS.incrementAndGet()), 3, RaftConfig.defaults(),
        p -> PeerSettings.defaults().withSeed(seed));
    return group.startAll();
  }

  private static ProposeResult change(PeerGroup g, PeerId p, MembershipChange... changes) {
    TestProbe<ProposeResult> probe = kit.createTestProbe();
    g.ref(p).tell(new RaftPeer.ChangeMembership(List.of(changes), probe.ref()));
    return probe.expectMessageClass(ProposeResult.class, TIMEOUT);
  }

  @Test
  void transferLeadershipMovesTheLeaderToTheTarget(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    g.awaitApplied(leader, g.proposeAccepted(leader, "x").index());
    PeerId target = g.aFollower(leader);
    TestProbe<TransferResult> probe = kit.createTestProbe();
    g.ref(leader).tell(new RaftPeer.TransferLeadership(Optional.of(target), probe.ref()));
    assertEquals(new TransferResult.Started(target), probe.expectMessageClass(TransferResult.class, TIMEOUT));
    PeerId now = leader;
    for (int i = 0; i < 50 && !now.equals(target); i++) now = g.awaitLeader();
    assertEquals(target, now);
    g.ref(target).tell(new RaftPeer.TransferLeadership(Optional.of(PeerId.of("nobody")), probe.ref()));
    assertEquals(new TransferResult.Refused(TransferResult.Reason.NOT_A_MEMBER, Optional.of(PeerId.of("nobody"))),
        probe.expectMessageClass(TransferResult.class, TIMEOUT));
  }

  @Test
  void changeMembershipRemovesAFollowerAndRefusesBadChangesWithAReason(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    g.awaitApplied(leader, g.proposeAccepted(leader, "x").index());
    PeerId gone = g.aFollower(leader);
    PeerId stays = g.ids.stream().filter(p -> !p.equals(leader) && !p.equals(gone)).findFirst().orElseThrow();
    assertEquals(new ProposeResult.MembershipRefused(MembershipRefusal.ALREADY_MEMBER, Optional.of(gone)),
        change(g, leader, new MembershipChange.AddVoter(gone)));
    assertEquals(new ProposeResult.NotLeader(Optional.of(leader)), change(g, gone, new MembershipChange.Remove(stays)));
    g.awaitApplied(leader,
        assertInstanceOf(ProposeResult.Accepted.class, change(g, leader, new MembershipChange.Remove(gone))).index());
    g.awaitApplied(leader,
        assertInstanceOf(ProposeResult.Accepted.class, change(g, leader, new MembershipChange.Remove(stays))).index());
    g.stop(gone);
    g.stop(stays);
    // The leader alone is the group now: it commits without anyone else.
    g.awaitApplied(leader, g.proposeAccepted(leader, "after").index());
    assertEquals("after", g.log(leader).commands().get(g.log(leader).commands().size() - 1));
  }
}
