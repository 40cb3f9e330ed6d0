package cli;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import cli.bench.Latencies;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.peer.Applied;
import raft.peer.LevelDbJournals;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.transport.LocalPeerTransport;
import wire.Bytes;

/**
 * {@code bin/raftkv bench raft}: three peers in one JVM on the local transport, each with its own
 * LevelDB journal (fsync on); N proposers each send a B-byte command to the leader and wait until
 * the leader's service applied it (committed) before sending the next. Prints one JSON line.
 */
@Command(name = "raft", mixinStandardHelpOptions = true,
    description = "Commit throughput and latency of a 3-peer Raft group (LevelDB, fsync on).")
public final class BenchRaftCommand implements Runnable {
  @Option(names = "--clients", description = "concurrent proposers (default ${DEFAULT-VALUE})")
  int clients = 16;

  @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--size", description = "command bytes (default ${DEFAULT-VALUE})")
  int size = 256;

  @Option(names = "--warmup", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  int warmup = 3;

  @Option(names = "--dir", description = "journal directory, emptied first (default ${DEFAULT-VALUE})")
  Path dir = Path.of("target/bench/raft-journal");

  @Option(names = "--snapshot-every", description = "entries between service snapshots (default ${DEFAULT-VALUE})")
  long snapshotEvery = 20_000;

  @Option(names = "--fsync", negatable = true, description = "fsync every journal write (default ${DEFAULT-VALUE})")
  boolean fsync = true;

  @Option(names = "--config", description = "HOCON file with raftkv.raft settings (default: reference.conf)")
  java.io.File configFile;

  private static final GroupId GROUP = GroupId.of("bench");

  @Override
  public void run() {
    if (size < 12) throw new IllegalArgumentException("--size must be >= 12 (client id and sequence number)");
    try {
      deleteRecursively(dir);
      Files.createDirectories(dir);
      String json = bench();
      System.out.println(json);
      Path out = Path.of("target/bench/raft.json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, json + "\n");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String bench() {
    List<PeerId> peers = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
    Config config = ConfigFactory.parseString("""
            akka.loglevel = WARNING
            akka.actor.serialize-messages = off
            """)
        .withFallback(LevelDbJournals.config(dir, peers, fsync))
        .withFallback(node.NodeSettings.load(configFile))
        .resolve();
    RaftConfig raftConfig = node.NodeSettings.raftConfig(config);
    PeerSettings peerSettings = node.NodeSettings.peerSettings(config);
    LocalPeerTransport transport = new LocalPeerTransport();
    Map<Integer, ActorRef<Done>> clientRefs = new ConcurrentHashMap<>();
    long[][] latencies = new long[clients][];
    int[] counts = new int[clients];
    AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
    AtomicLong measureTo = new AtomicLong(Long.MAX_VALUE);
    AtomicReference<PeerId> leaderRef = new AtomicReference<>();

    Behavior<Void> guardian = Behaviors.setup(ctx -> Behaviors.empty());
    ActorSystem<Void> system = ActorSystem.create(guardian, "bench", config);
    try {
      Map<PeerId, ActorRef<RaftPeer.Command>> refs = new ConcurrentHashMap<>();
      for (PeerId p : peers) {
        AtomicReference<ActorRef<RaftPeer.Command>> self = new AtomicReference<>();
        ActorRef<Applied> applier = system.systemActorOf(
            service(p, self, leaderRef, clientRefs), "service-" + p, akka.actor.typed.Props.empty());
        PeerSettings settings = LevelDbJournals.on(peerSettings, p);
        ActorRef<RaftPeer.Command> ref = system.systemActorOf(
            RaftPeer.create(GROUP, p, peers, raftConfig, settings, transport, applier),
            "raft-" + p, akka.actor.typed.Props.empty());
        self.set(ref);
        refs.put(p, ref);
        transport.register(p, ref);
      }
      PeerId leader = awaitLeader(system, refs);
      leaderRef.set(leader);
      ActorRef<RaftPeer.Command> leaderPeer = refs.get(leader);

      long start = System.nanoTime();
      measureFrom.set(start + TimeUnit.SECONDS.toNanos(warmup));
      measureTo.set(measureFrom.get() + TimeUnit.SECONDS.toNanos(seconds));
      for (int c = 0; c < clients; c++) {
        int id = c;
        latencies[c] = new long[1024];
        ActorRef<Done> client = system.systemActorOf(
            proposer(id, leaderPeer, latencies, counts, measureFrom.get(), measureTo.get()),
            "client-" + c, akka.actor.typed.Props.empty());
        clientRefs.put(id, client);
        client.tell(Done.START);
      }
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(measureTo.get() - System.nanoTime()) + 200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("ActorSystem did not terminate", e);
      }
    }
    // The actors are gone (termination completed): their arrays are safe to read.
    long total = 0;
    for (int c = 0; c < clients; c++) total += counts[c];
    long[] all = new long[(int) total];
    int k = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies[c], 0, all, k, counts[c]);
      k += counts[c];
    }
    Arrays.sort(all);
    double perSecond = total / (double) seconds;
    return String.format(java.util.Locale.ROOT,
        "{\"clients\":%d,\"commits_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"seconds\":%d,\"size\":%d}",
        clients, perSecond, Latencies.percentileMs(all, 0.50), Latencies.percentileMs(all, 0.99), seconds, size);
  }

  private static PeerId awaitLeader(ActorSystem<Void> system, Map<PeerId, ActorRef<RaftPeer.Command>> refs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (ActorRef<RaftPeer.Command> ref : refs.values()) {
        try {
          RaftStatus s = AskPattern.<RaftPeer.Command, RaftStatus>ask(ref, RaftPeer.GetStatus::new,
              Duration.ofSeconds(3), system.scheduler()).toCompletableFuture().get();
          if (s.isLeader()) return s.id();
        } catch (Exception e) {
          throw new IllegalStateException("status failed", e);
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader within 30 s");
  }

  // ---- the service: applies entries, answers clients (on the leader), snapshots ------------

  private Behavior<Applied> service(PeerId self, AtomicReference<ActorRef<RaftPeer.Command>> peer,
      AtomicReference<PeerId> leader, Map<Integer, ActorRef<Done>> clientRefs) {
    long[] applied = {0};
    long[] lastSnapshot = {0};
    return Behaviors.receiveMessage(m -> {
      if (m instanceof Applied.SnapshotInstalled s) {
        applied[0] = s.snapshot().meta().index();
      } else if (m instanceof Applied.Committed c) {
        boolean notify = self.equals(leader.get());
        for (LogEntry e : c.entries()) {
          applied[0] = e.index();
          if (!notify || e.command().size() < 12) continue;
          ByteBuffer b = ByteBuffer.wrap(e.command().toArray(), 0, 12);
          ActorRef<Done> client = clientRefs.get(b.getInt());
          if (client != null) client.tell(new Done(b.getLong()));
        }
        if (applied[0] - lastSnapshot[0] >= snapshotEvery) {
          lastSnapshot[0] = applied[0];
          peer.get().tell(new RaftPeer.TakeSnapshot(applied[0], Bytes.wrap(ByteBuffer.allocate(8).putLong(applied[0]).array())));
        }
      }
      return Behaviors.same();
    });
  }

  // ---- a proposer: one command at a time, next one once the previous was applied -------------

  /** Applied (or start, seq -1) notification for a proposer; ProposeResults are adapted into it. */
  record Done(long seq) {
    static final Done START = new Done(-1);
  }

  private Behavior<Done> proposer(int id, ActorRef<RaftPeer.Command> leader, long[][] latencies, int[] counts,
      long measureFrom, long measureTo) {
    return Behaviors.setup(ctx -> {
      ActorRef<ProposeResult> results = ctx.messageAdapter(ProposeResult.class,
          r -> r instanceof ProposeResult.Accepted ? new Done(-2) : new Done(-3));
      long[] seq = {0};
      long[] sentAt = {0};
      Runnable send = () -> {
        seq[0]++;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(id).putLong(seq[0]);
        sentAt[0] = System.nanoTime();
        leader.tell(new RaftPeer.Propose(Bytes.wrap(b.array()), results));
      };
      return Behaviors.receiveMessage(d -> {
        if (d.seq() == -1) {
          send.run();
        } else if (d.seq() == -3) {
          // NotLeader/Busy: try again shortly (the leader is stable in this benchmark).
          ctx.scheduleOnce(Duration.ofMillis(1), ctx.getSelf(), Done.START);
          seq[0]--;
        } else if (d.seq() == seq[0]) {
          long now = System.nanoTime();
          if (sentAt[0] >= measureFrom && now <= measureTo) {
            if (counts[id] == latencies[id].length) latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
            latencies[id][counts[id]++] = now - sentAt[0];
          }
          if (now < measureTo) send.run();
        }
        return Behaviors.same();
      });
    });
  }

  /** Empties a bench directory (also used by bench kv). */
  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
    }
  }
}
