package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.transport.LocalPeerTransport;
import testkit.SeedExtension;
import wire.Bytes;

/**
 * Peers on the native LevelDB journal with fsync on, one journal directory per peer under
 * target/. Restarts here restart the whole ActorSystem, so everything comes back from disk.
 */
@ExtendWith(SeedExtension.class)
class RaftPeerLevelDbTest {
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));

  private static Path freshDir() throws IOException {
    Path dir = Path.of("target", "leveldb-test", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    return dir;
  }

  private static ActorTestKit kit(Path dir, String extra) {
    return kit(dir, ConfigFactory.parseString(extra).withFallback(ManualTime.config()));
  }

  private static ActorTestKit kit(Path dir, Config extra) {
    Config config = extra
        .withFallback(LevelDbJournals.config(dir, PEERS, true))
        .withFallback(ConfigFactory.load())
        .resolve();
    return ActorTestKit.create("leveldb", config);
  }

  private static PeerGroup group(ActorTestKit kit, long seed, int size) {
    return new PeerGroup(kit, ManualTime.get(kit.system()), GroupId.of("g1"), size, RaftConfig.defaults(),
        p -> LevelDbJournals.on(PeerSettings.defaults().withSeed(seed).withSnapshotEveryEvents(16), p));
  }

  @Test
  void nothingAcknowledgedIsLostWhenEveryPeerRestarts(long seed) throws IOException {
    Path dir = freshDir();
    List<String> committed = new ArrayList<>();
    java.util.Map<String, Long> indexOf = new java.util.HashMap<>();
    long snapIndex;
    long lastCommitted;
    ActorTestKit first = kit(dir, "");
    try {
      PeerGroup g = group(first, seed, 3).startAll();
      PeerId leader = g.awaitLeader();
      long last = 0;
      for (int i = 0; i < 30; i++) {
        last = g.proposeAccepted(leader, "v" + i).index();
        committed.add("v" + i);
        indexOf.put("v" + i, last);
      }
      for (PeerId p : PEERS) g.awaitApplied(p, last);
      snapIndex = last - 10;
      for (PeerId p : PEERS) g.ref(p).tell(new RaftPeer.TakeSnapshot(snapIndex, Bytes.utf8("image@" + snapIndex)));
      for (int i = 30; i < 40; i++) {
        last = g.proposeAccepted(leader, "v" + i).index();
        committed.add("v" + i);
        indexOf.put("v" + i, last);
      }
      g.awaitApplied(leader, last);
      lastCommitted = last;
    } finally {
      first.shutdownTestKit(); // closes the LevelDB journals
    }

    ActorTestKit second = kit(dir, "");
    try {
      PeerGroup g = group(second, seed, 3).startAll();
      for (PeerId p : PEERS) {
        RaftStatus s = g.status(p);
        assertTrue(s.lastIndex() >= lastCommitted - 10, () -> p + " lost its log: " + s); // followers may lag the commit
      }
      PeerId leader = g.awaitLeader();
      long last = g.proposeAccepted(leader, "after-restart").index();
      committed.add("after-restart");
      indexOf.put("after-restart", last);
      for (PeerId p : PEERS) {
        g.awaitApplied(p, last);
        AppliedLog log = g.log(p);
        List<String> replayed = new ArrayList<>();
        if (!log.snapshot().isEmpty()) {
          assertEquals(Bytes.utf8("image@" + snapIndex), log.snapshot().data(), p + " restored the service snapshot");
          // The snapshot covers the commands up to its index (leaders' no-ops take indexes too).
          long covered = log.snapshot().meta().index();
          replayed.addAll(committed.stream().filter(c -> indexOf.get(c) <= covered).toList());
        }
        replayed.addAll(log.commands().stream().filter(c -> !c.isEmpty()).toList());
        assertEquals(committed, replayed, p + ": every committed command, once, in order");
      }
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void corruptJournalIsRefusedNamingItsDirectory(long seed) throws IOException {
    Path dir = freshDir();
    ActorTestKit first = kit(dir, "");
    try {
      PeerGroup g = new PeerGroup(first, ManualTime.get(first.system()), GroupId.of("solo"), 1, RaftConfig.defaults(),
          p -> LevelDbJournals.on(PeerSettings.defaults().withSeed(seed), p));
      g.startAll();
      PeerId p1 = g.awaitLeader();
      for (int i = 0; i < 5; i++) g.proposeAccepted(p1, "x" + i);
    } finally {
      first.shutdownTestKit();
    }
    Path journal = dir.resolve("p1").resolve("journal").toAbsolutePath();
    testkit.CorruptLevelDb.overwriteManifest(journal, seed);

    // The journal cannot even open; recovery gives up after this timeout instead of the default 30 s
    // (real time here: with ManualTime the recovery timeout would never fire).
    ActorTestKit second = kit(dir, ConfigFactory.parseString(
        "raftkv.journal.p1.recovery-event-timeout = 2s\nakka.actor.testkit.typed.filter-leeway = 10s"));
    try {
      TestProbe<Throwable> failures = second.createTestProbe();
      PeerId p1 = PeerId.of("p1");
      Behavior<RaftPeer.Command> peer = RaftPeer.create(GroupId.of("solo"), p1, List.of(p1), RaftConfig.defaults(),
          LevelDbJournals.on(PeerSettings.defaults().withSeed(seed), p1), new LocalPeerTransport(),
          second.<Applied>createTestProbe().ref());
      LoggingTestKit.error("refuses to start").withMessageContains(journal.toString())
          .expect(second.system(), () -> second.spawn(parentReportingFailures(peer, failures.ref())));
      Throwable cause = failures.expectMessageClass(Throwable.class, PeerGroup.TIMEOUT);
      assertTrue(String.valueOf(cause.getMessage()).contains("raft-solo|p1"), cause::toString);
    } finally {
      second.shutdownTestKit();
    }
  }

  private static final PeerId SOLO_PEER = PeerId.of("p1");
  private static final GroupId SOLO = GroupId.of("solo");

  private static PeerGroup solo(ActorTestKit kit, long seed) {
    return new PeerGroup(kit, ManualTime.get(kit.system()), SOLO, 1, RaftConfig.defaults(),
        p -> LevelDbJournals.on(PeerSettings.defaults().withSeed(seed), p));
  }

  /** Where the solo peer keeps its snapshot files (next to its LevelDB journal). */
  private static Path snapshotDir(ActorTestKit kit) {
    String plugin = LevelDbJournals.on(PeerSettings.defaults(), SOLO_PEER).journalPluginId();
    return SnapshotDirectory.of(kit.system(), plugin, SOLO, SOLO_PEER);
  }

  private static List<String> filesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** What a first run of the solo peer left on disk: a durable snapshot and the commands after it. */
  private record FirstRun(Path snapshots, String referenced, long snapIndex, List<String> after, SnapshotFile orphan) {}

  /**
   * Ten commands, a snapshot at the sixth made durable (the log compacted past it), then the crash
   * this is about: the service wrote the file of a newer snapshot and a leader's image was half
   * received, and the process died before either reached the journal.
   */
  private static FirstRun firstRunCrashingAfterASnapshotFile(Path dir, long seed) throws IOException {
    ActorTestKit first = kit(dir, "");
    try {
      PeerGroup g = solo(first, seed).startAll();
      g.awaitLeader();
      List<Long> indexes = new ArrayList<>();
      for (int i = 1; i <= 10; i++) indexes.add(g.proposeAccepted(SOLO_PEER, "x" + i).index());
      long last = indexes.get(9);
      g.awaitApplied(SOLO_PEER, last);
      long snapIndex = indexes.get(5);
      g.ref(SOLO_PEER).tell(new RaftPeer.TakeSnapshot(snapIndex, Bytes.utf8("image@" + snapIndex)));
      first.createTestProbe().awaitAssert(PeerGroup.TIMEOUT, () -> {
        assertTrue(g.status(SOLO_PEER).firstIndex() > snapIndex, "the snapshot is durable and the log compacted");
        return null;
      });
      Path snapshots = snapshotDir(first);
      List<String> durable = filesIn(snapshots);
      assertEquals(1, durable.size(), () -> "one snapshot file: " + durable);
      SnapshotFile orphan = new SnapshotFiles(snapshots).write(last, out -> out.write(Bytes.utf8("image@" + last).toArray()));
      Files.write(snapshots.resolve("tmp-00000000000000ab.part"), new byte[1000]); // a partial received image
      return new FirstRun(snapshots, durable.get(0), snapIndex, List.of("x7", "x8", "x9", "x10"), orphan);
    } finally {
      first.shutdownTestKit(); // the process ends here: no event names the orphan
    }
  }

  @Test
  void aSnapshotFileWhoseEventWasNeverWrittenIsRemovedOnRecovery(long seed) throws IOException {
    Path dir = freshDir();
    FirstRun run = firstRunCrashingAfterASnapshotFile(dir, seed);
    assertEquals(3, filesIn(run.snapshots()).size(), "before the restart: the durable file, the orphan, a partial image");

    ActorTestKit second = kit(dir, "");
    try {
      PeerGroup g = solo(second, seed).startAll();
      PeerId leader = g.awaitLeader();
      assertEquals(List.of(run.referenced()), filesIn(run.snapshots()), "only the file the journal references is left");
      AppliedLog log = g.log(leader);
      assertEquals(run.snapIndex(), log.snapshot().meta().index(), "the durable snapshot was installed");
      assertEquals(Bytes.utf8("image@" + run.snapIndex()), log.snapshot().data());
      long next = g.proposeAccepted(leader, "after-restart").index();
      g.awaitApplied(leader, next);
      List<String> expected = new ArrayList<>(run.after());
      expected.add("after-restart");
      assertEquals(expected, log.commands().stream().filter(c -> !c.isEmpty()).toList(),
          "the commands after the snapshot, once, in order");
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void aJournalNamingAMissingSnapshotFileIsRefusedNamingTheFile(long seed) throws IOException {
    Path dir = freshDir();
    FirstRun run = firstRunCrashingAfterASnapshotFile(dir, seed);
    Files.delete(run.snapshots().resolve(run.referenced()));
    assertRefusedToStart(dir, seed, run);
  }

  @Test
  void aJournalNamingATruncatedSnapshotFileIsRefused(long seed) throws IOException {
    Path dir = freshDir();
    FirstRun run = firstRunCrashingAfterASnapshotFile(dir, seed);
    Path file = run.snapshots().resolve(run.referenced());
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 1));
    assertRefusedToStart(dir, seed, run);
  }

  /** The peer stops with a typed failure naming the file, and deletes nothing: the operator may need the other files. */
  private static void assertRefusedToStart(Path dir, long seed, FirstRun run) throws IOException {
    List<String> before = filesIn(run.snapshots());
    ActorTestKit second = kit(dir, "");
    try {
      TestProbe<Throwable> failures = second.createTestProbe();
      Behavior<RaftPeer.Command> peer = RaftPeer.create(SOLO, SOLO_PEER, List.of(SOLO_PEER), RaftConfig.defaults(),
          LevelDbJournals.on(PeerSettings.defaults().withSeed(seed), SOLO_PEER), new LocalPeerTransport(),
          second.<Applied>createTestProbe().ref());
      // One line says why, naming the file, and no other blames the journal (it replayed fine).
      List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
      LoggingTestKit.custom(e -> e.level() == org.slf4j.event.Level.ERROR && e.message().contains("refuses to start")
              && refusals.add(e.message()))
          .expect(second.system(), () -> second.spawn(parentReportingFailures(peer, failures.ref())));
      assertTrue(refusals.get(0).contains(run.referenced()), refusals::toString);
      Throwable failure = failures.expectMessageClass(Throwable.class, PeerGroup.TIMEOUT);
      Throwable cause = failure;
      while (!(cause instanceof MissingSnapshotFileException) && cause.getCause() != null) cause = cause.getCause();
      assertTrue(cause instanceof MissingSnapshotFileException, () -> "a typed failure: " + failure);
      MissingSnapshotFileException missing = (MissingSnapshotFileException) cause;
      assertEquals(run.referenced(), missing.file().name());
      assertEquals(run.snapshots().toAbsolutePath(), missing.dir());
      assertEquals(before, filesIn(run.snapshots()), "nothing was deleted");
    } finally {
      second.shutdownTestKit();
    }
  }

  /** Whoever starts a peer learns why it stopped: the failure reaches the watching parent. */
  private static Behavior<Void> parentReportingFailures(Behavior<RaftPeer.Command> peer, ActorRef<Throwable> report) {
    return Behaviors.setup(ctx -> {
      ctx.watch(ctx.spawn(peer, "p1"));
      return Behaviors.receive(Void.class)
          .onSignal(ChildFailed.class, failed -> {
            report.tell(failed.getCause());
            return Behaviors.same();
          })
          .build();
    });
  }
}
