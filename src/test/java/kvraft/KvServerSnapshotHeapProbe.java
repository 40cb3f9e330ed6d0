package kvraft;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.LevelDbJournals;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.peer.SnapshotHeapProbe;
import raft.rsm.ReplicatedStateMachine;
import raft.rsm.StateMachine;
import raft.transport.LocalPeerTransport;
import testkit.ForwardingKvStore;

/**
 * The actor half of {@code raft.peer.SnapshotHeapProcessTest}, in a JVM whose heap holds the KV
 * state once but not twice: a one-replica {@link KvServer} on LevelDB is sent {@code MIB} MiB of
 * puts and snapshots as the product does (every 8 MiB of log, the replica's state streamed into a
 * snapshot file); then its ActorSystem stops and a new one in the same JVM recovers the server,
 * which restores the state from that file, and every value is read back. Protocol lines on stdout:
 * {@code @@max BYTES}, {@code @@state BYTES}, {@code @@written LAST_INDEX},
 * {@code @@restored SNAPSHOT_INDEX APPLIED_INDEX}, then {@code @@ok} or {@code @@oom PHASE} (an
 * actor that runs out of memory ends the JVM with exit code 255 instead: Akka's fatal-error exit).
 * Mode {@code buffered} is the check that this can fail: the same server over a store that builds
 * its snapshot in one byte array before writing it out.
 * Usage: {@code KvServerSnapshotHeapProbe MODE MIB DIR} (MODE {@code stream} or {@code buffered}).
 */
public final class KvServerSnapshotHeapProbe {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private static final GroupId GROUP = GroupId.of("heap");
  private static final PeerId SELF = PeerId.of("p1");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int IN_FLIGHT = 8;

  private KvServerSnapshotHeapProbe() {}

  public static void main(String[] args) throws Exception {
    boolean buffered = switch (args[0]) {
      case "stream" -> false;
      case "buffered" -> true;
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    };
    int values = Integer.parseInt(args[1]) * (1024 * 1024 / SnapshotHeapProbe.VALUE_BYTES);
    Path dir = Path.of(args[2]);
    OUT.println("@@max " + Runtime.getRuntime().maxMemory());
    OUT.println("@@state " + (long) values * SnapshotHeapProbe.VALUE_BYTES);
    String phase = "write";
    try {
      long last = writeAll(dir, values, buffered);
      OUT.println("@@written " + last);
      phase = "restore";
      readBack(dir, values, last, buffered);
    } catch (OutOfMemoryError e) {
      OUT.println("@@oom " + phase);
      System.exit(3);
    }
    OUT.println("@@ok");
    System.exit(0);
  }

  private static ActorSystem<KvServer.Command> server(Path dir, boolean buffered) {
    Config config = LevelDbJournals.config(dir, List.of(SELF), true)
        .withFallback(ConfigFactory.parseString("akka.loglevel = WARNING"))
        .withFallback(ConfigFactory.load())
        .resolve();
    LocalPeerTransport transport = new LocalPeerTransport();
    PeerSettings settings = LevelDbJournals.on(PeerSettings.defaults().withTickInterval(Duration.ofMillis(25)), SELF);
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(GROUP, SELF,
        applied -> RaftPeer.create(GROUP, SELF, List.of(SELF), RaftConfig.defaults(), settings, transport, applied),
        ref -> transport.register(SELF, ref));
    StateMachine<KvCommand, KvReply> store = buffered ? new BufferedSnapshots() : new KvStore();
    return ActorSystem.create(KvServer.create(spec, KvSettings.defaults(), store), "heap", config);
  }

  /** Every put acknowledged, a few in flight at once; the system stops before this returns. */
  private static long writeAll(Path dir, int values, boolean buffered) throws Exception {
    ActorSystem<KvServer.Command> system = server(dir, buffered);
    try {
      awaitLeader(system);
      Semaphore window = new Semaphore(IN_FLIGHT);
      AtomicReference<String> failure = new AtomicReference<>();
      for (int i = 0; i < values && failure.get() == null; i++) {
        window.acquire();
        String key = SnapshotHeapProbe.key(i);
        KvCommand put = new KvCommand.Put(key, SnapshotHeapProbe.value(i));
        long clientId = i % IN_FLIGHT + 1;
        long seq = i / IN_FLIGHT + 1;
        AskPattern.<KvServer.Command, KvReply>ask(system, to -> new KvServer.Execute(clientId, seq, put, to), TIMEOUT,
            system.scheduler()).whenComplete((r, e) -> {
              if (!(r instanceof KvReply.Done)) failure.compareAndSet(null, key + ": " + (e != null ? e : r));
              window.release();
            });
      }
      window.acquire(IN_FLIGHT);
      if (failure.get() != null) throw new AssertionError("a put failed: " + failure.get());
      return status(system).appliedIndex();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** A new ActorSystem recovers the server from its journal and snapshot file; every value must be back. */
  private static void readBack(Path dir, int values, long last, boolean buffered) throws Exception {
    ActorSystem<KvServer.Command> system = server(dir, buffered);
    try {
      awaitLeader(system);
      RaftStatus s = status(system);
      for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); s.appliedIndex() < last
          && System.nanoTime() < deadline; s = status(system)) {
        Thread.sleep(50);
      }
      OUT.println("@@restored " + (s.firstIndex() - 1) + " " + s.appliedIndex());
      if (s.appliedIndex() < last) throw new AssertionError("applied " + s.appliedIndex() + " of " + last);
      for (int i = 0; i < values; i++) {
        KvCommand get = new KvCommand.Get(SnapshotHeapProbe.key(i));
        KvReply r = AskPattern.<KvServer.Command, KvReply>ask(system, to -> new KvServer.Execute(0, 0, get, to), TIMEOUT,
            system.scheduler()).toCompletableFuture().get();
        if (!(r instanceof KvReply.Value v && v.value().equals(SnapshotHeapProbe.value(i))))
          throw new AssertionError(SnapshotHeapProbe.key(i) + " lost: " + r);
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static RaftStatus status(ActorSystem<KvServer.Command> system) throws Exception {
    CompletableFuture<RaftStatus> s = AskPattern.<KvServer.Command, RaftStatus>ask(system, KvServer.GetStatus::new,
        TIMEOUT, system.scheduler()).toCompletableFuture();
    return s.get();
  }

  private static void awaitLeader(ActorSystem<KvServer.Command> system) throws Exception {
    for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); System.nanoTime() < deadline; Thread.sleep(50)) {
      if (status(system).isLeader()) return;
    }
    throw new AssertionError("no leader");
  }

  /** A KV store whose snapshot is first encoded whole into one byte array: what the heap must not be asked for. */
  private static final class BufferedSnapshots extends ForwardingKvStore {
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
      StateMachine.inMemory(store::writeSnapshot).newInputStream().transferTo(out);
    }
  }
}
