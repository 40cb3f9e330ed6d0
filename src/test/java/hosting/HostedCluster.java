package hosting;

import akka.actor.Address;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import akka.cluster.typed.Cluster;
import akka.remote.RemoteActorRefProvider;
import akka.remote.transport.ThrottlerTransportAdapter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.List;
import kvraft.AkkaKvClient;
import kvraft.KvServer;
import raft.PeerId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import raft.GroupId;
import scala.concurrent.Await;

/**
 * Several cluster nodes (ActorSystems) in one JVM, each hosting the replicas the placement puts on
 * it through {@link ReplicaHosting}, with Artery's test mode so a test can cut links (blackhole).
 * A crash is {@code terminate()} without coordinated shutdown: the node does not leave, the others
 * find it unreachable and the split-brain resolver downs it. With a data directory each node keeps a
 * LevelDB journal that survives a restart; without one the journal is in memory and a restarted node
 * has lost it (a wiped disk).
 */
final class HostedCluster implements AutoCloseable {
  static final String SYSTEM = "hosting";
  static final GroupId GROUP = GroupId.of("g1");
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final MutablePlacement placement = new MutablePlacement();
  final RunningReplicas running = new RunningReplicas();
  private final int[] ports;
  private final Path dataDir;
  private final boolean inMemoryJournal;
  private final long seed;
  private final Function<ActorSystem<?>, ShardCoordinator.ShardAllocationStrategy> strategy;
  private final Map<Integer, ActorSystem<Void>> nodes = new LinkedHashMap<>();
  private final String extraConfig;
  /** The replicas a node hosts, given the node's system: KV servers unless a test says otherwise. */
  private Function<ActorSystem<?>, ReplicaFactory> factories;

  /**
   * @param dataDir group-commit journals under dataDir/node-i, or null for in-memory journals
   * @param strategy the allocation strategy, or null for {@link ReplicaHosting#initSharding}'s own
   */
  HostedCluster(int n, Path dataDir, long seed, Function<ActorSystem<?>, ShardCoordinator.ShardAllocationStrategy> strategy,
      String extraConfig) {
    this.ports = new int[n];
    for (int i = 0; i < n; i++) ports[i] = freePort();
    try {
      // Akka snapshots (the RaftPeer's DurableState images) go to a file store; application-test.conf
      // shares one directory across tests, where a replica of an earlier run with the same persistence
      // id would recover someone else's log. Each cluster gets its own.
      this.dataDir = dataDir != null ? dataDir : java.nio.file.Files.createTempDirectory("hosting-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.inMemoryJournal = dataDir == null;
    this.seed = seed;
    this.strategy = strategy;
    this.extraConfig = extraConfig;
    this.factories = system -> new KvReplicaFactory(running, seed);
  }

  /** What every node started from now on hosts. */
  HostedCluster hosting(Function<ActorSystem<?>, ReplicaFactory> factories) {
    this.factories = factories;
    return this;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Address address(int i) {
    return new Address("akka", SYSTEM, "127.0.0.1", ports[i]);
  }

  ActorSystem<Void> node(int i) {
    return nodes.get(i);
  }

  Config config(int i) {
    StringBuilder c = new StringBuilder()
        .append("akka.remote.artery.canonical.hostname = \"127.0.0.1\"\n")
        .append("akka.remote.artery.canonical.port = ").append(ports[i]).append('\n')
        .append("akka.remote.artery.advanced.test-mode = on\n")
        .append("akka.cluster.seed-nodes = [\"").append(address(0)).append("\"]\n")
        .append("akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
        // A crash: terminate() without leaving the cluster (a downed node still shuts down itself).
        .append("akka.coordinated-shutdown.run-by-actor-system-terminate = off\n")
        .append("akka.cluster.split-brain-resolver.stable-after = 3s\n")
        .append("akka.cluster.failure-detector.acceptable-heartbeat-pause = 6s\n")
        .append("akka.cluster.sharding.retry-interval = 500ms\n")
        .append("akka.cluster.sharding.distributed-data.durable.keys = []\n");
    Path d = dataDir.resolve("node-" + i).toAbsolutePath();
    try {
      java.nio.file.Files.createDirectories(d); // LevelDB creates only the last directory
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // On disk, next to the journal (application-test.conf keeps snapshots in memory).
    c.append("akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.local\"\n");
    c.append("akka.persistence.snapshot-store.local.dir = \"").append(d.resolve("snapshots")).append("\"\n");
    if (!inMemoryJournal)
      // The sharded node's journal (node.ShardedNode), without fsync here.
      c.append("akka.persistence.journal.plugin = \"raftkv.group-commit-journal\"\n")
          .append("raftkv.group-commit-journal { fsync = off, dir = \"").append(d.resolve("group-journal"))
          .append("\" }\n");
    return ConfigFactory.parseString(c + extraConfig)
        .withFallback(ConfigFactory.parseResources("raftkv-hosting.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** Starts node i (again, after a crash: same address, new incarnation). */
  ActorSystem<Void> start(int i) {
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      ReplicaFactory factory = factories.apply(ctx.getSystem());
      if (strategy == null) ReplicaHosting.initSharding(ctx.getSystem(), placement, factory);
      else ReplicaHosting.initSharding(ctx.getSystem(), factory, strategy.apply(ctx.getSystem()));
      ctx.spawn(ReplicaWaker.create(placement, Duration.ofSeconds(1)), "waker");
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(guardian, SYSTEM, config(i));
    nodes.put(i, system);
    return system;
  }

  HostedCluster startAll() {
    for (int i = 0; i < ports.length; i++) start(i);
    return this;
  }

  /**
   * Kills node i: no leave, no handoff. Waits until its ActorSystem is gone. With in-memory journals
   * its disk is lost too (the snapshots are deleted), as for a node replaced by a blank machine.
   */
  void crash(int i) {
    ActorSystem<Void> s = nodes.remove(i);
    s.terminate();
    awaitTerminated(s);
    if (inMemoryJournal) deleteDirectory(dataDir.resolve("node-" + i));
  }

  /** Deletes {@code dir} and everything in it (a lost disk). */
  static void deleteDirectory(Path dir) {
    if (!java.nio.file.Files.exists(dir)) return;
    try (var files = java.nio.file.Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void awaitTerminated(ActorSystem<?> s) {
    try {
      s.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(s.address() + " did not terminate in " + TIMEOUT, e);
    }
  }

  /** The Up members node i sees. */
  long upMembers(int i) {
    return StreamSupport.stream(Cluster.get(nodes.get(i)).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  /** Drops every message between the nodes of {@code a} and those of {@code b}, both ways, on both ends. */
  void partition(Collection<Integer> a, Collection<Integer> b) {
    for (int x : a)
      for (int y : b) {
        blackhole(nodes.get(x), address(y));
        blackhole(nodes.get(y), address(x));
      }
  }

  private static void blackhole(ActorSystem<?> from, Address to) {
    RemoteActorRefProvider provider = (RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(from)).provider();
    Object cmd = new ThrottlerTransportAdapter.SetThrottle(to, ThrottlerTransportAdapter.bothDirection(),
        ThrottlerTransportAdapter.blackholeThrottleMode());
    try {
      Await.result(provider.transport().managementCommand(cmd), scala.concurrent.duration.Duration.create(5, "s"));
    } catch (Exception e) {
      throw new AssertionError("blackhole " + from.address() + " -> " + to + " failed", e);
    }
  }

  /**
   * A KV client in node i's system, once the receptionist lists exactly {@code servers} servers of
   * the group (so no ref of a crashed incarnation is among them).
   */
  AkkaKvClient client(int i, int servers) {
    ActorSystem<Void> system = nodes.get(i);
    ServiceKey<KvServer.Command> key = KvServer.serviceKey(GROUP);
    String prefix = KvServer.actorName(GROUP, PeerId.of("x")).replaceAll("x$", "");
    Map<PeerId, ActorRef<KvServer.Command>> refs = TestProbe.create(system).awaitAssert(TIMEOUT, Duration.ofMillis(200), () -> {
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
          to -> Receptionist.find(key, to), Duration.ofSeconds(3), system.scheduler()).toCompletableFuture().join();
      Map<PeerId, ActorRef<KvServer.Command>> found = new LinkedHashMap<>();
      for (ActorRef<KvServer.Command> ref : listing.getServiceInstances(key))
        found.put(PeerId.of(ref.path().name().substring(prefix.length())), ref);
      assertEquals(servers, listing.getServiceInstances(key).size(), () -> "servers listed: " + listing.getServiceInstances(key));
      return found;
    });
    return new AkkaKvClient(system, refs, new AkkaKvClient.Settings(Duration.ofMillis(500), Duration.ofSeconds(20)));
  }

  /** Waits until node i's entity of {@code key} answers a status that passes {@code check}. */
  HostStatus awaitStatus(int i, ReplicaKey key, java.util.function.Predicate<HostStatus> check) {
    ActorSystem<Void> system = nodes.get(i);
    return TestProbe.create(system).awaitAssert(TIMEOUT, Duration.ofMillis(200), () -> {
      HostStatus s = ReplicaHosting.status(system, key, Duration.ofSeconds(2)).toCompletableFuture().join();
      assertTrue(check.test(s), () -> "status of " + key + ": " + s);
      return s;
    });
  }

  /** Waits until node i sees exactly {@code n} members, all Up and reachable. */
  void awaitMembers(int i, int n) {
    TestProbe.create(nodes.get(i)).awaitAssert(TIMEOUT, Duration.ofMillis(200), () -> {
      var state = Cluster.get(nodes.get(i)).state();
      assertEquals(n, upMembers(i), () -> "members seen by node " + i + ": " + state.getMembers());
      assertTrue(state.getUnreachable().isEmpty(), () -> "unreachable seen by node " + i + ": " + state.getUnreachable());
      assertEquals(n, StreamSupport.stream(state.getMembers().spliterator(), false).count());
      return null;
    });
  }

  /**
   * Bootstraps the group as placed, until every replica answers Running on its placed node (a
   * strategy that is not pinned may first start an entity elsewhere, which refuses the Create; a
   * retried bootstrap is harmless).
   */
  void bootstrap(int via) {
    bootstrap(via, GROUP);
  }

  void bootstrap(int via, GroupId group) {
    TestProbe.create(nodes.get(via)).awaitAssert(TIMEOUT, Duration.ofMillis(500), () -> {
      List<HostStatus> answers = ReplicaHosting.bootstrap(nodes.get(via), group, placement, Duration.ofSeconds(10))
          .toCompletableFuture().join();
      for (HostStatus s : answers) {
        assertTrue(s instanceof HostStatus.Running, () -> "bootstrap: " + answers);
        assertEquals(placement.nodeOf(s.key()).orElseThrow().toString(), s.node());
      }
      return null;
    });
  }

  @Override
  public void close() {
    for (ActorSystem<Void> s : nodes.values()) s.terminate();
    for (ActorSystem<Void> s : nodes.values()) awaitTerminated(s);
    nodes.clear();
    if (inMemoryJournal) deleteDirectory(dataDir);
  }
}
