package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import testkit.nodes.NodeProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import node.NodeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;

/**
 * A replica brought back after the group moved 64 MiB on: three {@code raftkv node} processes; a
 * follower is killed with SIGKILL; 256 values of 256 KiB go through the leader (which snapshots
 * its state every 16 MiB of log); the follower restarts. The leader's snapshot (49 to 65 MiB, 25
 * to 32 times Artery's 2 MiB frame) reaches it as a stream of 512 KiB chunks, and it catches up. Then it is needed: the other follower is killed, writes still commit (they need
 * it); the leader is killed too and the other follower comes back with an empty disk (as after a
 * disk replacement; harmless here, every term it voted in is over), so the restarted follower is
 * the only replica that can lead, and every value read back comes from the state it installed. Sent whole, the snapshot never arrived: Artery dropped it and the
 * follower stayed at commit 0 (the reproduction: 12,000 keys of 256 bytes, about 3 MB).
 */
class KvSnapshotCatchUpProcessTest {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final List<PeerId> PEERS = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  /** 65 MiB: the service snapshots every 16 MiB of log (the last snapshot holds 49 to 65 MiB of it). */
  private static final int VALUES = 260;
  private static final int VALUE_BYTES = 256 * 1024;
  private static final int WRITERS = 4;

  private static String value(int i) {
    char[] chars = new char[VALUE_BYTES];
    java.util.Arrays.fill(chars, (char) ('a' + i % 26));
    String tag = "value-" + i + ";";
    tag.getChars(0, tag.length(), chars, 0);
    return new String(chars);
  }

  private static String key(int i) {
    return String.format("k%04d", i);
  }

  private static List<RaftStatus> status(AkkaKvClient c) throws Exception {
    return c.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Optional<RaftStatus> leader(AkkaKvClient c) throws Exception {
    return status(c).stream().filter(RaftStatus::isLeader).findFirst();
  }

  private static PeerId awaitLeader(AkkaKvClient c) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<RaftStatus> l = leader(c);
      if (l.isPresent()) return l.get().id();
      Thread.sleep(200);
    }
    throw new AssertionError("no leader");
  }

  /** Writes keys from..to-1 with {@code WRITERS} threads, each put retried until it is Done. */
  private static void writeAll(AkkaKvClient c, int from, int to) throws InterruptedException {
    AtomicInteger next = new AtomicInteger(from);
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Thread t = new Thread(() -> {
        for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
          KvReply r = null;
          for (int attempt = 0; attempt < 10 && !(r instanceof KvReply.Done); attempt++) r = c.await(c.put(key(i), value(i)));
          if (!(r instanceof KvReply.Done)) failures.add(key(i) + ": " + r);
        }
      }, "writer-" + w);
      t.start();
      writers.add(t);
    }
    for (Thread t : writers) t.join(120_000);
    assertEquals(List.of(), failures, "every put was acknowledged");
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES) // under 90 s on an idle machine; JVM starts dominate when it is loaded
  void aFollowerKilledWhile64MiBWereWrittenCatchesUpThroughAStreamedSnapshot() throws Exception {
    Path dir = Path.of("target", "kv-snapshot-catch-up", UUID.randomUUID().toString());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "client", ConfigFactory.parseString("""
            akka.actor.provider = remote
            akka.remote.artery.transport = tcp
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            akka.remote.artery.canonical.port = 0
            akka.actor.serialize-messages = off
            akka.loglevel = ERROR
            """).withFallback(ConfigFactory.load()));
    try (NodeProcesses nodes = new NodeProcesses(GROUP, PEERS, dir, NodeProcesses.productLogging("1g"),
        // Artery gives up binding after 3 s: three JVMs starting at once on a loaded machine took longer.
        "raftkv.kv.max-raft-state = 16 MiB\nakka.remote.artery.bind.bind-timeout = 30s");
        AkkaKvClient c = node.KvNode.clientFor(system, new NodeSpec(GROUP, PEERS.get(0), nodes.addresses(), dir, true),
            new AkkaKvClient.Settings(Duration.ofSeconds(5), Duration.ofSeconds(30)))) {
      long t0 = System.nanoTime();
      nodes.startAll(PEERS);
      PeerId leader = awaitLeader(c);
      writeAll(c, 0, 4);
      PeerId lagging = PEERS.stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
      PeerId other = PEERS.stream().filter(p -> !p.equals(leader) && !p.equals(lagging)).findFirst().orElseThrow();
      nodes.kill(lagging);

      long w0 = System.nanoTime();
      writeAll(c, 4, VALUES);
      double writeSeconds = (System.nanoTime() - w0) / 1e9;
      long commit = leader(c).orElseThrow().commitIndex();

      long r0 = System.nanoTime();
      nodes.start(lagging);
      RaftStatus caughtUp = null;
      for (long deadline = System.currentTimeMillis() + 60_000; System.currentTimeMillis() < deadline; Thread.sleep(200)) {
        caughtUp = status(c).stream().filter(s -> s.id().equals(lagging)).findFirst().orElse(null);
        if (caughtUp != null && caughtUp.appliedIndex() >= commit) break;
      }
      double catchUpSeconds = (System.nanoTime() - r0) / 1e9;
      RaftStatus last = caughtUp;
      assertTrue(last != null && last.appliedIndex() >= commit,
          () -> lagging + " caught up to " + commit + ": " + last + "; see " + nodes.log(lagging));
      String log = nodes.logText(lagging);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("receiving snapshot \\S+ from \\S+: (\\d+) bytes").matcher(log);
      long streamed = 0;
      while (m.find()) streamed = Math.max(streamed, Long.parseLong(m.group(1)));
      long image = streamed;
      // The service snapshots every 16 MiB of log, so the last snapshot holds at least 65 - 16 MiB.
      assertTrue(image >= 48L << 20, () -> "it received a streamed snapshot of 48 MiB or more (" + image + " bytes); see "
          + nodes.log(lagging));
      assertTrue(!log.contains("OversizedPayload") && !nodes.logText(leader).contains("OversizedPayload"),
          "no message was too large for Artery");

      // Now the group needs it: with the other follower down, writes commit only through it.
      nodes.kill(other);
      writeAll(c, VALUES, VALUES + 4);
      // And only it can lead: the other follower comes back empty.
      nodes.kill(leader);
      nodes.wipe(other);
      nodes.start(other);
      assertEquals(lagging, awaitLeader(c), "the replica that installed the snapshot leads");
      for (int i = 0; i < VALUES + 4; i++) {
        KvReply r = c.await(c.get(key(i)));
        int index = i;
        assertTrue(r instanceof KvReply.Value v && v.value().equals(value(index)), () -> key(index) + ": " + describe(r));
      }
      System.out.printf("KvSnapshotCatchUpProcessTest: %d MiB written in %.1f s; %s caught up to index %d in %.1f s "
          + "after its restart (a streamed snapshot of %d bytes); %.1f s in all%n", (long) VALUES * VALUE_BYTES >> 20,
          writeSeconds, lagging, commit, catchUpSeconds, image, (System.nanoTime() - t0) / 1e9);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static String describe(KvReply r) {
    return r instanceof KvReply.Value v ? "a value of " + v.value().length() + " chars starting "
        + v.value().substring(0, Math.min(20, v.value().length())) : String.valueOf(r);
  }
}
