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
import java.util.List;
import java.util.SplittableRandom;
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
    Path manifest;
    try (Stream<Path> files = Files.list(journal)) {
      manifest = files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
    }
    byte[] garbage = new byte[(int) Files.size(manifest)];
    new SplittableRandom(seed).nextBytes(garbage);
    Files.write(manifest, garbage);

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
