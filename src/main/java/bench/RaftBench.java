package bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import node.NodeSettings;
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
 * The Raft benchmark ({@code bin/raftkv bench raft}): three peers in one JVM on the local
 * transport, each with its own LevelDB journal (fsync on); N proposers each send a B-byte command
 * to the leader and wait until the leader's service applied it (committed) before sending the
 * next. The service snapshots every {@code snapshotEvery} entries.
 */
public final class RaftBench {

  /**
   * @param clients concurrent proposers
   * @param seconds measured seconds, after {@code warmup} seconds
   * @param size command bytes (at least 12: client id and sequence number)
   * @param dir journal directory, emptied first
   * @param snapshotEvery entries between service snapshots
   * @param configFile HOCON with raftkv.raft settings, or null for reference.conf
   */
  public record Options(int clients, int seconds, int size, int warmup, Path dir, long snapshotEvery, boolean fsync,
      File configFile) {
    public Options {
      if (clients < 1) throw new IllegalArgumentException("--clients must be >= 1, was " + clients);
      if (seconds < 1) throw new IllegalArgumentException("--seconds must be >= 1, was " + seconds);
      if (size < 12) throw new IllegalArgumentException("--size must be >= 12 (client id and sequence number)");
    }
  }

  /** What one run measured. */
  public record Result(int clients, double commitsPerSecond, Latencies latencies, int seconds, int size) {
    /** The one JSON line {@code bench raft} prints. */
    public String toJson() {
      return String.format(Locale.ROOT,
          "{\"clients\":%d,\"commits_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,"
              + "\"max_ms\":%.2f,\"seconds\":%d,\"size\":%d}",
          clients, commitsPerSecond, latencies.percentileMs(0.50), latencies.percentileMs(0.99),
          latencies.percentileMs(0.999), latencies.maxMs(), seconds, size);
    }
  }

  private static final GroupId GROUP = GroupId.of("bench");

  private final int clients;
  private final int seconds;
  private final int size;
  private final int warmup;
  private final Path dir;
  private final long snapshotEvery;
  private final boolean fsync;
  private final File configFile;

  private RaftBench(Options o) {
    this.clients = o.clients();
    this.seconds = o.seconds();
    this.size = o.size();
    this.warmup = o.warmup();
    this.dir = o.dir();
    this.snapshotEvery = o.snapshotEvery();
    this.fsync = o.fsync();
    this.configFile = o.configFile();
  }

  public static Result run(Options options) throws IOException {
    ResultFile.emptyDir(options.dir());
    Files.createDirectories(options.dir());
    return new RaftBench(options).bench();
  }

  private Result bench() {
    List<PeerId> peers = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
    Config config = ConfigFactory.parseString("""
            akka.loglevel = WARNING
            akka.actor.serialize-messages = off
            """)
        .withFallback(LevelDbJournals.config(dir, peers, fsync))
        .withFallback(NodeSettings.load(configFile))
        .resolve();
    RaftConfig raftConfig = NodeSettings.raftConfig(config);
    PeerSettings peerSettings = NodeSettings.peerSettings(config);
    LocalPeerTransport transport = new LocalPeerTransport();
    Map<Integer, ActorRef<Done>> clientRefs = new ConcurrentHashMap<>();
    Latencies[] latencies = new Latencies[clients];
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
        latencies[c] = new Latencies();
        ActorRef<Done> client = system.systemActorOf(
            proposer(id, leaderPeer, latencies[c], measureFrom.get(), measureTo.get()),
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
    // The actors are gone (termination completed): their histograms are safe to read.
    Latencies all = new Latencies();
    for (Latencies l : latencies) all.addAll(l);
    return new Result(clients, all.count() / (double) seconds, all, seconds, size);
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
        applied[0] = s.meta().index();
        s.image().close();
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

  private Behavior<Done> proposer(int id, ActorRef<RaftPeer.Command> leader, Latencies latencies, long measureFrom,
      long measureTo) {
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
          if (sentAt[0] >= measureFrom && now <= measureTo) latencies.add(now - sentAt[0]);
          if (now < measureTo) send.run();
        }
        return Behaviors.same();
      });
    });
  }
}
