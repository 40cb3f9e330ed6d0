package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Dropped;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.eventstream.EventStream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.message.Heartbeat;
import raft.persistence.RaftEvent;
import testkit.SeedExtension;
import wire.Bytes;

/**
 * A persistence stash of 8 commands, overfilled while a write is held in the journal: Akka drops
 * what does not fit, silently. No command the stash could drop may wedge the peer: every proposal
 * is answered (Accepted or Busy), and the peer keeps writing afterwards.
 */
@ExtendWith(SeedExtension.class)
class RaftPeerStashTest {
  private static final int STASH = 8;
  private static final AtomicInteger GROUPS = new AtomicInteger();
  private static ActorTestKit kit;
  private static ManualTime time;
  private static PersistenceTestKit journal;
  private PeerGroup group;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create(ConfigFactory.parseString("akka.persistence.typed.stash-capacity = " + STASH)
        .withFallback(ManualTime.config())
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

  /**
   * The leader is held inside a Flush that only sends (a heartbeat), so its mailbox fills with a
   * proposal, a service snapshot and 20 more proposals. The first proposal makes it send itself a
   * Flush, which lands behind all of them; the snapshot's write (held in the journal) makes it
   * stash the rest, and the stash holds 8. Before the gate bounded the stash, the Flush was
   * dropped with 12 of the proposals: the peer then waited for that Flush forever, and the dropped
   * proposals were neither answered nor released from the gate.
   */
  @Test
  void anOverfullStashDropsNothingThePeerWaitsFor(long seed) throws Exception {
    AtomicBoolean holdHeartbeat = new AtomicBoolean(false);
    CountDownLatch sending = new CountDownLatch(1);
    CountDownLatch releaseSend = new CountDownLatch(1);
    group = new PeerGroup(kit, time, GroupId.of("s" + GROUPS.incrementAndGet()), 3, RaftConfig.defaults(),
        p -> PeerSettings.defaults().withSeed(seed));
    group.sendingThrough(local -> message -> {
      if (message instanceof Heartbeat && holdHeartbeat.getAndSet(false)) {
        sending.countDown();
        await(releaseSend);
      }
      local.send(message);
    }).startAll();
    PeerId leader = group.awaitLeader();
    long first = group.proposeAccepted(leader, "first").index();
    group.awaitApplied(leader, first);

    String pid = RaftPeer.persistenceId(group.group, leader).id();
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch releaseWrite = new CountDownLatch(1);
    AtomicBoolean holdSnapshotWrite = new AtomicBoolean(true);
    journal.withPolicy((String id, JournalOperation op) -> {
      if (id.equals(pid) && op instanceof WriteEvents w && holdSnapshotWrite.get()
          && w.batch().exists(e -> e instanceof RaftEvent.SnapshotSaved) && holdSnapshotWrite.getAndSet(false)) {
        writing.countDown();
        await(releaseWrite);
      }
      return (ProcessingResult) ProcessingSuccess.getInstance();
    });
    TestProbe<Dropped> dropped = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, dropped.ref()));

    holdHeartbeat.set(true);
    group.tick();
    assertTrue(sending.await(10, TimeUnit.SECONDS), "the leader is sending a heartbeat");
    TestProbe<ProposeResult> replies = kit.createTestProbe();
    int proposals = 21;
    group.ref(leader).tell(new RaftPeer.Propose(Bytes.utf8("p0"), replies.ref()));
    group.ref(leader).tell(new RaftPeer.TakeSnapshot(first, Bytes.utf8("image")));
    for (int i = 1; i < proposals; i++) group.ref(leader).tell(new RaftPeer.Propose(Bytes.utf8("p" + i), replies.ref()));
    releaseSend.countDown();
    assertTrue(writing.await(10, TimeUnit.SECONDS), "the snapshot's write reached the journal");

    // Wait until the leader took the 20 proposals and its Flush from the mailbox: the stash
    // holds 8 commands, so at least 13 were dropped by it or turned away by the gate (Busy).
    List<ProposeResult> answers = new ArrayList<>();
    int droppedByStash = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (answers.size() + droppedByStash < proposals - STASH && System.nanoTime() < deadline) {
      poll(replies).ifPresent(answers::add);
      if (poll(dropped).isPresent()) droppedByStash++;
    }
    releaseWrite.countDown();

    for (int i = answers.size(); i < proposals; i++) {
      ProposeResult r = replies.expectMessageClass(ProposeResult.class, PeerGroup.TIMEOUT);
      answers.add(r);
    }
    long busy = answers.stream().filter(r -> r instanceof ProposeResult.Busy).count();
    List<ProposeResult> accepted = answers.stream().filter(r -> r instanceof ProposeResult.Accepted).toList();
    assertEquals(proposals, accepted.size() + busy, answers::toString);
    assertTrue(accepted.size() >= 1, () -> "p0 is accepted: " + answers);
    // The peer still writes, and the gate lets proposals in again.
    long last = group.proposeAccepted(leader, "after").index();
    group.awaitApplied(leader, last);
    assertEquals(0, droppedByStash, "nothing was dropped by the stash");
  }

  private static <T> Optional<T> poll(TestProbe<T> probe) {
    try {
      return Optional.of(probe.receiveMessage(Duration.ofMillis(10)));
    } catch (AssertionError nothingYet) {
      return Optional.empty();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released the latch");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
