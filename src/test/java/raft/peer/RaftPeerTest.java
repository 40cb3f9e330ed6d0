package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.persistence.RaftEvent;
import raft.transport.LocalPeerTransport;
import testkit.SeedExtension;
import wire.Bytes;

/** Three actor peers on the local transport, in-memory journal, ManualTime. */
@ExtendWith(SeedExtension.class)
class RaftPeerTest {
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static ActorTestKit kit;
  private static ManualTime time;
  private static PersistenceTestKit journal;
  private PeerGroup group;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(ManualTime.config()
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load()));
    time = ManualTime.get(kit.system());
    journal = PersistenceTestKit.create(kit.system());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  @AfterEach
  void stopGroup() {
    journal.resetPolicy();
    if (group != null) group.stopAll();
  }

  private PeerGroup group(long seed, RaftConfig cfg, PeerSettings settings) {
    group = new PeerGroup(kit, time, GroupId.of("g" + GROUPS.incrementAndGet()), 3, cfg, p -> settings.withSeed(seed));
    return group.startAll();
  }

  private PeerGroup group(long seed) {
    return group(seed, RaftConfig.defaults(), PeerSettings.defaults());
  }

  @Test
  void electsOneLeaderAndReplicatesToAllPeers(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    List<String> commands = IntStream.range(0, 20).mapToObj(i -> "cmd-" + i).toList();
    long prev = g.status(leader).lastIndex(); // the leader's no-op of its term comes first
    for (String c : commands) {
      ProposeResult.Accepted a = g.proposeAccepted(leader, c);
      assertEquals(prev + 1, a.index(), "indexes are consecutive");
      prev = a.index();
    }
    for (PeerId p : g.ids) {
      g.awaitApplied(p, prev);
      assertEquals(commands, g.log(p).commands().stream().filter(s -> !s.isEmpty()).toList(), p + " applied");
    }
    RaftStatus s = g.status(leader);
    assertTrue(s.isLeader());
    assertEquals(prev, s.commitIndex());
  }

  @Test
  void proposeOnFollowerAnswersNotLeaderWithHint(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    ProposeResult r = g.propose(g.aFollower(leader), "x");
    assertEquals(new ProposeResult.NotLeader(Optional.of(leader)), r);
  }

  @Test
  void readIndexOnTheLeaderAndOnAFollowerIsConfirmedAtLeastAtWhatWasCommitted(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    ProposeResult.Accepted a = g.proposeAccepted(leader, "x");
    g.awaitApplied(leader, a.index());
    long last = g.status(leader).lastIndex();
    for (PeerId p : List.of(leader, g.aFollower(leader))) {
      ReadIndexReply r = g.readIndex(p);
      assertTrue(r instanceof ReadIndexReply.Confirmed c && c.index() >= a.index(), p + ": " + r);
    }
    assertEquals(last, g.status(leader).lastIndex(), "a read appends nothing to the log");
  }

  @Test
  void aLeaseReadOnAPeerWithoutReadLeasesIsRefusedAsSuch(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    assertEquals(new ReadIndexReply.LeaseNotConfigured(), g.leaseRead(leader));
    assertTrue(g.readIndex(leader) instanceof ReadIndexReply.Confirmed, "the peer keeps serving ReadIndex reads");
  }

  @Test
  void readIndexWithNoLeaderKnownIsNotLeader(long seed) {
    PeerGroup g = group(seed);
    assertEquals(new ReadIndexReply.NotLeader(Optional.empty()), g.readIndex(g.ids.get(0)), "no election has run yet");
  }

  @Test
  void oversizedCommandIsTooLarge(long seed) {
    PeerGroup g = group(seed, RaftConfig.defaults().withMaxCommandBytes(16), PeerSettings.defaults());
    PeerId leader = g.awaitLeader();
    assertEquals(new ProposeResult.TooLarge(17, 16), g.propose(leader, "x".repeat(17)));
    assertTrue(g.propose(leader, "x".repeat(16)) instanceof ProposeResult.Accepted);
  }

  /** The journal holds the next write of {@code persistenceId} until {@code release} counts down. */
  private record HeldWrite(CountDownLatch entered, CountDownLatch release) {}

  private static HeldWrite holdTheNextWrite(String persistenceId) {
    HeldWrite held = new HeldWrite(new CountDownLatch(1), new CountDownLatch(1));
    AtomicBoolean hold = new AtomicBoolean(true);
    journal.withPolicy((String pid, JournalOperation op) -> {
      if (pid.equals(persistenceId) && op instanceof WriteEvents && hold.getAndSet(false)) {
        held.entered().countDown();
        try {
          if (!held.release().await(10, TimeUnit.SECONDS)) throw new IllegalStateException("test never released the write");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return (ProcessingResult) ProcessingSuccess.getInstance();
    });
    return held;
  }

  /**
   * With the leader's write held in the journal, proposals pile up behind it: only
   * max-pending-proposals of them are let into the stash, the rest are answered Busy at once;
   * once the write completes the two waiting ones go into the core and the next write.
   */
  @Test
  void proposalsBeyondThePendingBoundAreBusy(long seed) throws Exception {
    PeerGroup g = group(seed, RaftConfig.defaults(), PeerSettings.defaults().withMaxPendingProposals(2));
    PeerId leader = g.awaitLeader();
    HeldWrite held = holdTheNextWrite(RaftPeer.persistenceId(g.group, leader).id());
    TestProbe<ProposeResult> probe = kit.createTestProbe();
    g.ref(leader).tell(new RaftPeer.Propose(Bytes.utf8("c0"), probe.ref()));
    assertTrue(held.entered().await(10, TimeUnit.SECONDS), "the leader's write reached the journal");
    for (int i = 1; i < 10; i++) g.ref(leader).tell(new RaftPeer.Propose(Bytes.utf8("c" + i), probe.ref()));
    held.release().countDown();

    List<ProposeResult> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) replies.add(probe.expectMessageClass(ProposeResult.class, PeerGroup.TIMEOUT));
    List<ProposeResult> accepted = replies.stream().filter(r -> r instanceof ProposeResult.Accepted).toList();
    List<ProposeResult> busy = replies.stream().filter(r -> r instanceof ProposeResult.Busy).toList();
    assertEquals(3, accepted.size(), "c0, then the two let into the stash: " + replies);
    assertEquals(7, busy.size(), "the rest: " + replies);
    assertTrue(busy.stream().allMatch(b -> ((ProposeResult.Busy) b).pending() == 2), replies::toString);
    long last = accepted.stream().mapToLong(r -> ((ProposeResult.Accepted) r).index()).max().orElseThrow();
    for (PeerId p : g.ids) g.awaitApplied(p, last);
    assertEquals(List.of("c0", "c1", "c2"), g.log(leader).commands().stream().filter(s -> !s.isEmpty()).toList());
  }

  /**
   * A tagged proposal is answered as an untagged one would be, with the caller's id on the answer:
   * Accepted at consecutive indexes on the leader, NotLeader with the hint on a follower, TooLarge
   * past the bound. One probe takes every answer, as the replica's one message adapter does.
   */
  @Test
  void aTaggedProposalIsAnsweredAsAnUntaggedOneWithItsId(long seed) {
    PeerGroup g = group(seed, RaftConfig.defaults().withMaxCommandBytes(16), PeerSettings.defaults());
    PeerId leader = g.awaitLeader();
    TestProbe<TaggedProposeResult> probe = kit.createTestProbe();
    long prev = g.status(leader).lastIndex();
    for (long id = 41; id < 44; id++) g.ref(leader).tell(new RaftPeer.ProposeTagged(id, Bytes.utf8("c" + id), probe.ref()));
    for (long id = 41; id < 44; id++) {
      TaggedProposeResult r = probe.expectMessageClass(TaggedProposeResult.class, PeerGroup.TIMEOUT);
      assertEquals(new TaggedProposeResult(id, new ProposeResult.Accepted(prev + 1, g.status(leader).term())), r);
      prev++;
    }
    g.ref(g.aFollower(leader)).tell(new RaftPeer.ProposeTagged(7, Bytes.utf8("x"), probe.ref()));
    assertEquals(new TaggedProposeResult(7, new ProposeResult.NotLeader(Optional.of(leader))),
        probe.expectMessageClass(TaggedProposeResult.class, PeerGroup.TIMEOUT));
    g.ref(leader).tell(new RaftPeer.ProposeTagged(8, Bytes.utf8("x".repeat(17)), probe.ref()));
    assertEquals(new TaggedProposeResult(8, new ProposeResult.TooLarge(17, 16)),
        probe.expectMessageClass(TaggedProposeResult.class, PeerGroup.TIMEOUT));
    for (PeerId p : g.ids) g.awaitApplied(p, prev);
    assertEquals(List.of("c41", "c42", "c43"), g.log(leader).commands().stream().filter(c -> !c.isEmpty()).toList());
  }

  /**
   * The gate sheds tagged proposals like untagged ones (Busy at once, with their ids), so a
   * caller that tags can match even the answers that overtake the accepted ones.
   */
  @Test
  void taggedProposalsBeyondThePendingBoundAreBusyWithTheirIds(long seed) throws Exception {
    PeerGroup g = group(seed, RaftConfig.defaults(), PeerSettings.defaults().withMaxPendingProposals(2));
    PeerId leader = g.awaitLeader();
    HeldWrite held = holdTheNextWrite(RaftPeer.persistenceId(g.group, leader).id());
    TestProbe<TaggedProposeResult> probe = kit.createTestProbe();
    g.ref(leader).tell(new RaftPeer.ProposeTagged(100, Bytes.utf8("c0"), probe.ref()));
    assertTrue(held.entered().await(10, TimeUnit.SECONDS), "the leader's write reached the journal");
    for (int i = 1; i < 10; i++) g.ref(leader).tell(new RaftPeer.ProposeTagged(100 + i, Bytes.utf8("c" + i), probe.ref()));
    List<Long> busy = new ArrayList<>();
    for (int i = 3; i < 10; i++) {
      TaggedProposeResult r = probe.expectMessageClass(TaggedProposeResult.class, PeerGroup.TIMEOUT);
      assertEquals(new ProposeResult.Busy(2), r.result(), "answered while the write is held: " + r);
      busy.add(r.id());
    }
    assertEquals(List.of(103L, 104L, 105L, 106L, 107L, 108L, 109L), busy, "the ones past the two let in, in order");
    held.release().countDown();
    List<Long> accepted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TaggedProposeResult r = probe.expectMessageClass(TaggedProposeResult.class, PeerGroup.TIMEOUT);
      assertTrue(r.result() instanceof ProposeResult.Accepted, r::toString);
      accepted.add(r.id());
    }
    assertEquals(List.of(100L, 101L, 102L), accepted);
  }

  @Test
  void restartedPeerKeepsTermVoteAndLogAndCatchesUp(long seed) {
    PeerGroup g = group(seed);
    PeerId leader = g.awaitLeader();
    long last = 0;
    for (int i = 0; i < 5; i++) last = g.proposeAccepted(leader, "a" + i).index();
    PeerId follower = g.aFollower(leader);
    g.awaitApplied(follower, last);
    RaftStatus before = g.status(follower);

    g.stop(follower);
    for (int i = 0; i < 5; i++) last = g.proposeAccepted(leader, "b" + i).index();
    g.awaitApplied(leader, last); // committed by the two that are up
    g.start(follower);

    RaftStatus recovered = g.status(follower);
    assertEquals(before.term(), recovered.term(), "term survives the restart");
    assertEquals(before.lastIndex(), recovered.lastIndex(), "log survives the restart");
    assertFalse(recovered.isLeader());
    // Its vote survives too: in the same term it cannot vote for anyone but the leader it chose.
    g.tick();
    g.awaitApplied(follower, last);
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 5; i++) want.add("a" + i);
    for (int i = 0; i < 5; i++) want.add("b" + i);
    assertEquals(want, g.log(follower).commands().stream().filter(s -> !s.isEmpty()).toList());
    assertEquals(leader, g.awaitLeader(), "the restart did not disturb the leader");
  }

  /**
   * The service snapshots; the leader compacts its log and the journal drops the events below;
   * a follower that was down while that happened is brought back by InstallSnapshot.
   */
  @Test
  void snapshotCompactsJournalAndInstallsOnLaggingFollower(long seed) {
    PeerGroup g = group(seed, RaftConfig.defaults(), PeerSettings.defaults().withSnapshotEveryEvents(8));
    PeerId leader = g.awaitLeader();
    PeerId lagging = g.aFollower(leader);
    g.stop(lagging);
    long last = 0;
    for (int i = 0; i < 10; i++) last = g.proposeAccepted(leader, "s" + i).index();
    for (PeerId p : g.running()) g.awaitApplied(p, last);

    long snapIndex = last;
    Bytes image = Bytes.utf8("state@" + snapIndex);
    for (PeerId p : g.running()) g.ref(p).tell(new RaftPeer.TakeSnapshot(snapIndex, image));
    String leaderPid = RaftPeer.persistenceId(g.group, leader).id();
    // Akka deletes events at the next retention snapshot; keep the log moving until it did.
    int more = 0;
    while (!entriesAtOrBelow(leaderPid, snapIndex).isEmpty() && more < 50) {
      last = g.proposeAccepted(leader, "t" + more++).index();
      g.awaitApplied(leader, last);
    }
    assertEquals(List.of(), entriesAtOrBelow(leaderPid, snapIndex), "journal events below the snapshot are deleted");
    RaftStatus ls = g.status(leader);
    assertEquals(snapIndex + 1, ls.firstIndex(), "the leader's log starts after the snapshot");

    g.start(lagging);
    g.tick(); // a heartbeat finds the follower behind the leader's first index
    g.awaitApplied(lagging, last);
    AppliedLog log = g.log(lagging);
    assertEquals(image, log.snapshot().data(), "the lagging follower installed the leader's snapshot");
    assertEquals(snapIndex, log.snapshot().meta().index());
    // PeerMetrics saw one snapshot leave the leader and arrive, of the image's size.
    assertEquals(1, g.metrics(lagging).snapshotsInstalled.get(), "installs reported by the follower");
    assertEquals(image.size(), g.metrics(lagging).installedBytes.get());
    assertEquals(1, g.metrics(leader).snapshotsSent.get(), "sends reported by the leader");
    assertEquals(image.size(), g.metrics(leader).sentBytes.get());
    assertEquals(0, g.metrics(leader).snapshotsInstalled.get());
    assertTrue(g.metrics(lagging).entries.get() >= more, "the follower's writes carried the entries after the snapshot");
    List<String> after = IntStream.range(0, more).mapToObj(i -> "t" + i).toList();
    assertEquals(after, log.commands().stream().filter(s -> !s.isEmpty()).toList());

    // And the leader itself restarts from snapshot + remaining events.
    g.stop(leader);
    g.start(leader);
    PeerId newLeader = g.awaitLeader();
    // The core appends no entry on election: a new command commits the earlier terms' entries.
    last = g.proposeAccepted(newLeader, "u").index();
    g.awaitApplied(leader, last);
    assertEquals(image, g.log(leader).snapshot().data());
    List<String> all = new ArrayList<>(after);
    all.add("u");
    assertEquals(all, g.log(leader).commands().stream().filter(s -> !s.isEmpty()).toList());
  }

  private static List<LogEntry> entriesAtOrBelow(String pid, long index) {
    List<LogEntry> out = new ArrayList<>();
    for (Object e : journal.persistedInStorage(pid)) {
      if (e instanceof RaftEvent.EntriesAppended a)
        a.entries().stream().filter(x -> x.index() <= index).forEach(out::add);
    }
    return out;
  }

  @Test
  void invalidConfigurationIsRejectedAtStart() {
    GroupId g = GroupId.of("bad");
    PeerId p1 = PeerId.of("p1");
    PeerId p2 = PeerId.of("p2");
    LocalPeerTransport t = new LocalPeerTransport();
    TestProbe<Applied> applier = kit.createTestProbe();
    PeerSettings s = PeerSettings.defaults();
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> RaftPeer.create(g, p1, List.of(p1, p2, p2), RaftConfig.defaults(), s, t, applier.ref()));
    assertTrue(dup.getMessage().contains("duplicate peer id p2"), dup.getMessage());
    IllegalArgumentException notVoter = assertThrows(IllegalArgumentException.class,
        () -> RaftPeer.create(g, PeerId.of("p9"), List.of(p1, p2), RaftConfig.defaults(), s, t, applier.ref()));
    assertTrue(notVoter.getMessage().contains("p9 is not among the voters"), notVoter.getMessage());
    IllegalArgumentException ticks = assertThrows(IllegalArgumentException.class,
        () -> RaftPeer.create(g, p1, List.of(p1, p2), RaftConfig.defaults().withElectionTicks(1), s, t, applier.ref()));
    assertTrue(ticks.getMessage().contains("electionTicks (1) must be greater than heartbeatTicks (1)"), ticks.getMessage());
    IllegalArgumentException pending = assertThrows(IllegalArgumentException.class,
        () -> RaftPeer.create(g, p1, List.of(p1, p2), RaftConfig.defaults(), s.withMaxPendingProposals(0), t, applier.ref()));
    assertTrue(pending.getMessage().contains("maxPendingProposals"), pending.getMessage());
  }

  @Test
  void statusOfAFreshPeerIsFollowerAtTermZero(long seed) {
    PeerGroup g = group(seed);
    RaftStatus s = g.status(PeerId.of("p1"));
    assertEquals(0, s.term());
    assertFalse(s.isLeader());
    assertEquals(Duration.ofMillis(100), PeerSettings.defaults().tickInterval());
  }
}
