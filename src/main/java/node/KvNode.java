package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kvraft.AkkaKvClient;
import kvraft.KvClient;
import kvraft.KvServer;
import raft.PeerId;
import raft.peer.LevelDbJournals;
import raft.peer.PeerMetrics;

/**
 * One running KV process: its ActorSystem and the replicas it hosts ({@link KvGuardian}). Local
 * mode runs every replica of the group in this JVM; node mode runs one, joins the Akka cluster of
 * its peers and talks to them over Artery at their configured addresses.
 *
 * <p>Front ends (HTTP, the {@code kv} command) get their client from {@link #client()}: one line.
 */
public final class KvNode implements AutoCloseable {
  /** The classpath config a node process loads under its own file: {@code NodeSettings.load(file, NODE_LAYER)}. */
  public static final String NODE_LAYER = "kvnode.conf";

  private final NodeSpec spec;
  private final Config config;
  private final ActorSystem<Void> system;
  /** The replicas in this process. */
  private final Map<PeerId, ActorRef<KvServer.Command>> servers;

  private KvNode(NodeSpec spec, Config config, ActorSystem<Void> system, Map<PeerId, ActorRef<KvServer.Command>> servers) {
    this.spec = spec;
    this.config = config;
    this.system = system;
    this.servers = servers;
  }

  /**
   * Starts the node described by {@code spec} with the settings in {@code config} (raftkv.* read
   * through {@link NodeSettings}; bad settings fail here, before anything starts).
   */
  public static KvNode start(NodeSpec spec, Config config) {
    return start(spec, config, PeerMetrics.Factory.NOOP);
  }

  /** As above; each hosted replica reports its journal writes and snapshots to {@code metrics.of(group, peer)}. */
  public static KvNode start(NodeSpec spec, Config config, PeerMetrics.Factory metrics) {
    Config full = systemConfig(spec, config);
    CompletableFuture<Map<PeerId, ActorRef<KvServer.Command>>> started = new CompletableFuture<>();
    var guardian = KvGuardian.create(spec, NodeSettings.raftConfig(full), NodeSettings.peerSettings(full),
        NodeSettings.kvSettings(full), metrics, started);
    NodeSettings.clientSettings(full); // validate now rather than at the first client
    NodeSettings.leadershipHandoverTimeout(full);
    ActorSystem<Void> system = ActorSystem.create(guardian, NodeSpec.SYSTEM_NAME, full);
    try {
      KvNode node = new KvNode(spec, full, system, started.get(30, TimeUnit.SECONDS));
      // Local mode stops every replica of the group at once: nobody to hand over to.
      if (!spec.isLocal()) GracefulShutdown.handOverFirst(system, node.leadershipHandover());
      return node;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the replicas did not start: " + e, e);
    }
  }

  /**
   * LevelDB journals for the hosted replicas; in node mode also host, port and seed nodes (the
   * cluster settings come from kvnode.conf: load the config with {@link #NODE_LAYER}).
   */
  static Config systemConfig(NodeSpec spec, Config config) {
    Config journals = LevelDbJournals.config(spec.dataDir(), spec.hosted(), spec.fsync());
    if (spec.isLocal()) return journals.withFallback(config).resolve();
    StringBuilder seeds = new StringBuilder();
    for (PeerId p : spec.voters()) seeds.append(seeds.length() == 0 ? "" : ", ").append('"').append(spec.address(p)).append('"');
    Config cluster = ConfigFactory.parseString(
        "akka.remote.artery.canonical.hostname = \"" + spec.host() + "\"\n"
            + "akka.remote.artery.canonical.port = " + spec.port() + "\n"
            + "akka.cluster.seed-nodes = [" + seeds + "]\n");
    return cluster.withFallback(journals).withFallback(config).resolve();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeSpec spec() {
    return spec;
  }

  /** A new client of this node's group (every replica, wherever it runs); close it when done. */
  public KvClient client() {
    AkkaKvClient.Settings settings = NodeSettings.clientSettings(config);
    // In local mode every replica is here: use the refs (a local path resolves only once spawned).
    if (spec.isLocal()) return new AkkaKvClient(system, servers, settings);
    // Node mode: the local replica by its ref (never through remoting), the others at their
    // addresses; the local replica says who leads (LeaderWatch), so a request takes at most one hop.
    return new LeaderWatch(system, servers.get(spec.self()), new AkkaKvClient(system, serverRefs(), settings));
  }

  /**
   * What this node does with its leaderships before it stops: hands each over
   * ({@code raftkv.node.leadership-handover}), or nothing if that is off.
   */
  public LeadershipHandover leadershipHandover() {
    return NodeSettings.leadershipHandoverTimeout(config).<LeadershipHandover>map(timeout -> {
      List<ReplicaHandover.Replica> local = new ArrayList<>();
      servers.forEach((p, ref) -> local.add(ReplicaHandover.Replica.of(spec.group(), p, ref, AkkaGroupAdmin.KV)));
      return new ReplicaHandover(system, local, timeout);
    }).orElse(LeadershipHandover.none());
  }

  /** The replicas in this process, by ref (for tests in this package). */
  Map<PeerId, ActorRef<KvServer.Command>> localReplicas() {
    return servers;
  }

  /** An operator's handle on this node's group: every replica, the local one by ref, the others at their addresses. */
  public GroupAdmin admin() {
    AkkaKvClient.Settings settings = NodeSettings.clientSettings(config);
    return new AkkaGroupAdmin(system, serverRefs(), settings.attemptTimeout(), settings.deadline());
  }

  /** Every replica of the group: the local ones by ref (never through remoting), the others at their addresses. */
  private Map<PeerId, ActorRef<KvServer.Command>> serverRefs() {
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    for (PeerId p : spec.voters()) {
      refs.put(p, servers.containsKey(p) ? servers.get(p) : AkkaKvClient.serverAt(system, spec.group(), p, spec.address(p)));
    }
    return refs;
  }

  /** An operator's handle on the group of {@code spec} (node mode) from any ActorSystem with remoting that can reach it. */
  public static AkkaGroupAdmin adminFor(ActorSystem<?> system, NodeSpec spec, AkkaKvClient.Settings settings) {
    return AkkaGroupAdmin.atAddresses(system, spec.group(), addresses(spec), settings);
  }

  /** A client of the group of {@code spec} (node mode) from any ActorSystem with remoting that can reach it. */
  public static AkkaKvClient clientFor(ActorSystem<?> system, NodeSpec spec, AkkaKvClient.Settings settings) {
    return AkkaKvClient.atAddresses(system, spec.group(), addresses(spec), settings);
  }

  private static Map<PeerId, String> addresses(NodeSpec spec) {
    Map<PeerId, String> addresses = new LinkedHashMap<>();
    for (PeerId p : spec.voters()) addresses.put(p, spec.address(p));
    return addresses;
  }

  /** What runs where, for the console. */
  public String banner() {
    StringBuilder b = new StringBuilder();
    if (spec.isLocal()) {
      b.append("raftkv local: group ").append(spec.group()).append(", replicas ").append(spec.voters())
          .append(" in this JVM (").append(system.address()).append(")\n");
    } else {
      b.append("raftkv node ").append(spec.self()).append(": group ").append(spec.group()).append(", listening on ")
          .append(spec.address(spec.self())).append(" (Akka cluster + Raft)\n");
      for (PeerId p : spec.voters()) {
        b.append("  ").append(p.equals(spec.self()) ? "*" : " ").append(' ').append(p).append("  ")
            .append(spec.address(p)).append("/user/").append(KvServer.actorName(spec.group(), p)).append('\n');
      }
    }
    b.append("  data:    ").append(spec.dataDir().toAbsolutePath().normalize())
        .append(" (LevelDB journal per replica, fsync ").append(spec.fsync() ? "on" : "off").append(")\n");
    b.append("  clients: ").append(spec.isLocal() ? "in this JVM via KvNode.client()"
            : "AkkaKvClient at the addresses above (KvNode.clientFor), or the receptionist key kv-" + spec.group());
    return b.toString();
  }

  /** Stops the node and waits for it. */
  @Override
  public void close() {
    stop(system);
  }

  /** Blocks until the node stops (Ctrl-C, or a replica failed). */
  public void awaitTermination() throws InterruptedException {
    await(system);
  }

  /** Terminates {@code system} and waits up to 30 s for it. */
  static void stop(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop within 30 s", e);
    }
  }

  /** Blocks until {@code system} has terminated. */
  static void await(ActorSystem<?> system) throws InterruptedException {
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
