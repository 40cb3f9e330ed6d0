package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import hosting.GroupFactories;
import hosting.ReplicaFactory;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import hosting.ReplicaWaker;
import hosting.ServiceRefs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import kvraft.AkkaKvClient;
import kvraft.KvClient;
import kvraft.KvSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.RaftConfig;
import raft.peer.PeerMetrics;
import raft.peer.PeerSettings;
import journal.GroupCommitJournal;
import shardctrl.AkkaShardCtrlClient;
import shardctrl.CtrlReplicaFactory;
import shardctrl.ShardCtrlServer;
import shardkv.AkkaShardKvClient;
import shardkv.KeyRanges;
import shardkv.LabFirstByte;
import shardkv.ShardKvClient;
import shardkv.ShardKvMetrics;
import shardkv.ShardKvReplicaFactory;
import shardkv.ShardKvSettings;
import shardkv.ShardMapping;

/**
 * One node of a sharded cluster ({@code raftkv.sharded}): an ActorSystem in the Akka cluster of
 * the configured nodes, hosting on Cluster Sharding the replicas of the controller and of the shard
 * groups that are placed here (a replica's id is its node's name, {@link NodePlacement}), all on one
 * group-commit journal under the data directory ({@link GroupCommitJournal}: the writes of all groups
 * that arrive during one fsync share the next). On its first start it bootstraps its replicas of the
 * initial groups once ({@link ShardedBootstrap}); later starts recover them from the journal.
 */
public final class ShardedNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedNode.class);
  /** The classpath config a sharded node loads under its own file. */
  public static final String NODE_LAYER = "shardnode.conf";
  private static final String NODE_ID_FILE = "node-id";
  /** Written once this node is an Up member of a cluster: from then on it must rejoin, never form a new one. */
  static final String MEMBER_MARKER = "cluster-member";
  /** The journal plugin of every replica on the node: one writer, one fsync per batch of all groups' writes. */
  public static final String JOURNAL_PLUGIN = "raftkv.group-commit-journal";

  private final ShardedSpec spec;
  private final Config config;
  private final ActorSystem<Void> system;
  private final NodePlacement placement;
  private final AkkaShardCtrlClient controller;
  private final CompletableFuture<Void> bootstrapped;
  private ShardAdmin admin;

  private ShardedNode(ShardedSpec spec, Config config, ActorSystem<Void> system, NodePlacement placement,
      AkkaShardCtrlClient controller, CompletableFuture<Void> bootstrapped) {
    this.spec = spec;
    this.config = config;
    this.system = system;
    this.placement = placement;
    this.controller = controller;
    this.bootstrapped = bootstrapped;
  }

  /** Starts the node; the bootstrap (first start only) goes on in the background ({@link #bootstrapped}). */
  public static ShardedNode start(ShardedSpec spec, Config config) {
    return start(spec, config, PeerMetrics.Factory.NOOP, ShardKvMetrics.Factory.NOOP);
  }

  /**
   * As above, every replica hosted here (the controller's and the shard groups') reporting its
   * journal writes and snapshots to {@code peerMetrics}, each shard group replica its shards in
   * migration to {@code shardMetrics} (both {@code node.http.NodeMetrics} for the HTTP API's /metrics).
   */
  public static ShardedNode start(ShardedSpec spec, Config config, PeerMetrics.Factory peerMetrics,
      ShardKvMetrics.Factory shardMetrics) {
    claimDataDir(spec);
    // Before anything starts: a corrupt journal, or an earlier journal without ours, stops the node here, named.
    GroupCommitJournal.verify(journalDir(spec), Optional.of(akkaJournalDir(spec)));
    Config full = systemConfig(spec, config);
    RaftConfig raft = NodeSettings.raftConfig(full);
    PeerSettings peer = NodeSettings.peerSettings(full);
    peer = peer.withSeed(peer.seed() ^ spec.self().hashCode()); // distinct election timeouts per node
    KvSettings kv = NodeSettings.kvSettings(full);
    AkkaKvClient.Settings clientSettings = NodeSettings.clientSettings(full);
    var ctrlSettings = NodeSettings.shardCtrlSettings(full);
    var ctrlClientSettings = NodeSettings.shardCtrlClientSettings(full);
    ShardMapping mapping = mapping(spec, ctrlSettings.nShards());
    int pullChunkBytes = NodeSettings.shardPullChunkBytes(full);
    NodePlacement placement = NodePlacement.of(spec, NodeSpec.SYSTEM_NAME);
    List<String> knownControllers = KnownControllers.read(spec.dataDir());
    if (!knownControllers.isEmpty()) // the controller's record as last read: it moved since the config file's list
      placement.learn(ShardedSpec.CONTROLLER, knownControllers.stream().map(c -> ReplicaKey.parse(c).replica()).toList());
    CompletableFuture<AkkaShardCtrlClient> ctrl = new CompletableFuture<>();
    PeerSettings peerSettings = peer;
    Function<ActorSystem<?>, ReplicaFactory> factories = system -> {
      CtrlReplicaFactory ctrlFactory = new CtrlReplicaFactory(ctrlSettings, raft, peerSettings, peerMetrics);
      return new GroupFactories(key -> {
        if (key.group().equals(ShardedSpec.CONTROLLER)) return ctrlFactory;
        int gid = ShardedSpec.gidOf(key.group());
        if (gid < 0) throw new IllegalArgumentException("group " + key.group() + " is neither the controller nor g<gid>");
        return new ShardKvReplicaFactory(g -> ShardKvSettings.of(gid, mapping).withMaxRaftStateBytes(kv.maxRaftStateBytes())
                .withChunkBytes(pullChunkBytes),
            raft, peerSettings, ctrl.join(), ServiceRefs.resolver(system), peerMetrics, shardMetrics);
      });
    };
    CompletableFuture<Void> regionStarted = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(ShardedGuardian.create(placement, factories, regionStarted),
        NodeSpec.SYSTEM_NAME, full);
    try {
      regionStarted.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the shard region of node " + spec.self() + " did not start: " + e, e);
    }
    markMemberWhenUp(system, spec);
    AkkaShardCtrlClient controller = controllerClient(system, spec, ctrlClientSettings);
    for (String c : knownControllers) {
      PeerId p = ReplicaKey.parse(c).replica();
      controller.learnServer(p, ServiceRefs.of(system, key(p.id())));
    }
    ctrl.complete(controller);
    new PlacementFollower(system, controller, placement, spec.self(), spec.dataDir()).start();
    new NodeRegistration(system, controller, placement, spec.self(), spec.hostPort(spec.self())).start();
    CompletableFuture<Void> bootstrapped = ShardedBootstrap.run(system, spec, placement, controller)
        .whenComplete((v, e) -> {
          if (e != null) LOG.error("bootstrap of node {} failed", spec.self(), e);
          // Woken only now: before its bootstrap Create an entity would refuse to start (no certificate).
          else system.systemActorOf(ReplicaWaker.create(placement, Duration.ofSeconds(5)), "replica-waker", Props.empty());
        });
    LOG.info("sharded node {} started ({}), mapping {}", spec.self(), placement, mapping);
    return new ShardedNode(spec, full, system, placement, controller, bootstrapped);
  }

  /** Every node of {@code spec}'s cluster in this JVM, node {@code n}'s data under {@code data/n} (local mode). */
  public static java.util.List<ShardedNode> startAll(ShardedSpec spec, Path data, Config config) {
    return startAll(spec, data, config, PeerMetrics.Factory.NOOP, ShardKvMetrics.Factory.NOOP);
  }

  /** As above, the first node's replicas reporting to the metrics given (the node whose HTTP API local mode serves). */
  public static java.util.List<ShardedNode> startAll(ShardedSpec spec, Path data, Config config,
      PeerMetrics.Factory peerMetrics, ShardKvMetrics.Factory shardMetrics) {
    java.util.List<ShardedNode> nodes = new java.util.ArrayList<>();
    try {
      for (String n : spec.nodes().keySet()) {
        boolean first = nodes.isEmpty();
        nodes.add(start(spec.as(n, data.resolve(n)), config, first ? peerMetrics : PeerMetrics.Factory.NOOP,
            first ? shardMetrics : ShardKvMetrics.Factory.NOOP));
      }
    } catch (RuntimeException e) {
      nodes.forEach(ShardedNode::close);
      throw e;
    }
    return nodes;
  }

  /** The key to shard mapping of this cluster (raftkv.sharded.key-ranges, else the lab's first byte). */
  public ShardMapping mapping() {
    return mapping(spec, NodeSettings.shardCtrlSettings(config).nShards());
  }

  static ShardMapping mapping(ShardedSpec spec, int nShards) {
    if (spec.keyRanges().isEmpty()) return new LabFirstByte(nShards);
    if (spec.keyRanges().size() != nShards - 1)
      throw new IllegalArgumentException("raftkv.sharded.key-ranges: " + spec.keyRanges().size()
          + " boundaries for " + nShards + " shards (raftkv.shardctrl.n-shards); want n-shards - 1");
    return new KeyRanges(spec.keyRanges());
  }

  private static AkkaShardCtrlClient controllerClient(ActorSystem<?> system, ShardedSpec spec,
      raft.rsm.GroupClient.Settings settings) {
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    // This node's replica first: the first attempt goes there without a network hop if it leads.
    for (String n : spec.controller()) if (n.equals(spec.self())) refs.put(PeerId.of(n), ServiceRefs.of(system, key(n)));
    for (String n : spec.controller()) refs.putIfAbsent(PeerId.of(n), ServiceRefs.of(system, key(n)));
    // A moved controller replica has an id the config file does not name: follow the leader's hints to it.
    return new AkkaShardCtrlClient(system, refs, settings).resolveHintsWith(p -> ServiceRefs.of(system, key(p.id())));
  }

  private static ReplicaKey key(String controllerNode) {
    return new ReplicaKey(ShardedSpec.CONTROLLER, PeerId.of(controllerNode));
  }

  /**
   * The data directory belongs to one node: its name is written there on first start, and a
   * directory of another node refuses to start (naming both), since its journal holds another
   * node's replicas.
   */
  /** Writes {@link #MEMBER_MARKER} once this node is Up in the cluster (see {@link #systemConfig}). */
  private static void markMemberWhenUp(ActorSystem<?> system, ShardedSpec spec) {
    akka.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> {
      Path marker = spec.dataDir().resolve(MEMBER_MARKER);
      try {
        if (!Files.exists(marker)) Files.writeString(marker, spec.self() + "\n");
      } catch (IOException e) {
        LOG.warn("node {}: cannot write {} ({}); a restart of this node as first seed may form a cluster of its own",
            spec.self(), marker, e.toString());
      }
    });
  }

  static void claimDataDir(ShardedSpec spec) {
    Path dir = spec.dataDir();
    Path id = dir.resolve(NODE_ID_FILE);
    try {
      Files.createDirectories(dir);
      if (Files.exists(id)) {
        String owner = Files.readString(id).trim();
        if (!owner.equals(spec.self()))
          throw new IllegalArgumentException("data directory " + dir.toAbsolutePath() + " belongs to node " + owner
              + ", not to this node " + spec.self() + "; point raftkv.sharded.data-dir at this node's own directory");
      } else {
        Files.writeString(id, spec.self() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dir.toAbsolutePath(), e);
    }
  }

  /** Where the node's group-commit journal lives: {@code <data-dir>/group-journal}. */
  public static Path journalDir(ShardedSpec spec) {
    return spec.dataDir().toAbsolutePath().resolve("group-journal");
  }

  /**
   * Where sharded nodes kept Akka's LevelDB journal before the group-commit journal: never opened
   * now; if it holds files while {@link #journalDir} does not, the node refuses to start.
   */
  static Path akkaJournalDir(ShardedSpec spec) {
    return spec.dataDir().toAbsolutePath().resolve("journal");
  }

  /**
   * Host, port and seed nodes from the spec; the group-commit journal ({@link #JOURNAL_PLUGIN}) and
   * the snapshots under the data directory.
   */
  static Config systemConfig(ShardedSpec spec, Config config) {
    StringBuilder seeds = new StringBuilder();
    for (String hp : spec.seeds())
      seeds.append(seeds.length() == 0 ? "" : ", ").append("\"akka://").append(NodeSpec.SYSTEM_NAME).append('@').append(hp).append('"');
    Path dir = spec.dataDir().toAbsolutePath();
    // Akka's first seed node forms a new cluster of its own if no running node answers its join
    // within seed-node-timeout (2 s, shardnode.conf): right for a new cluster, but a restarted first node whose
    // cluster is slow to answer (a loaded machine) would stay apart from it for good. So a node
    // that has bootstrapped before waits longer (ShardMigrationKillProcessTest hit this).
    // "Before" is as soon as it was an Up member (MEMBER_MARKER), not only once its bootstrap is done: a
    // first node killed mid-bootstrap also restarts into a running cluster (FirstSeedRestartProcessTest).
    boolean wasMember = ShardedBootstrap.done(spec) || Files.exists(spec.dataDir().resolve(MEMBER_MARKER));
    String rejoin = wasMember && spec.nodes().keySet().iterator().next().equals(spec.self())
        ? "akka.cluster.seed-node-timeout = " + NodeSettings.rejoinSeedTimeout(config).toMillis() + "ms\n" : "";
    String hocon = rejoin + "akka.remote.artery.canonical.hostname = \"" + spec.host() + "\"\n"
        + "akka.remote.artery.canonical.port = " + spec.port() + "\n"
        + "akka.cluster.seed-nodes = [" + seeds + "]\n"
        + "akka.persistence.journal.plugin = \"" + JOURNAL_PLUGIN + "\"\n"
        + JOURNAL_PLUGIN + " { fsync = " + (spec.fsync() ? "on" : "off") + ", dir = \"" + journalDir(spec)
        + "\", previous-dir = \"" + akkaJournalDir(spec) + "\" }\n"
        + "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.local\"\n"
        + "akka.persistence.snapshot-store.local.dir = \"" + dir.resolve("snapshots") + "\"\n";
    return ConfigFactory.parseString(hocon).withFallback(config).resolve();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public ShardedSpec spec() {
    return spec;
  }

  /** Completes once this node's part of the first start's bootstrap is done (at once on later starts). */
  public CompletableFuture<Void> bootstrapped() {
    return bootstrapped;
  }

  /** A client of the whole sharded store (every key routed to its group); close it when done. */
  public KvClient client() {
    AkkaKvClient.Settings s = NodeSettings.clientSettings(config);
    ShardKvClient shards = AkkaShardKvClient.create(system, mapping(),
        controller, ServiceRefs.resolver(system), s.attemptTimeout(), new ShardKvClient.Settings(Duration.ofMillis(100),
            s.deadline()));
    return new ShardedKvClient(system, shards, placement, ReplicaHosting.selfNode(system));
  }

  /**
   * Hands over the leadership of every shard group one of this node's replicas leads (to the most
   * up-to-date other voter, {@link ReplicaHandover}), waiting up to {@code
   * raftkv.node.leadership-handover.timeout} for each; nothing if the handover is off. Which
   * replicas are local is read when it runs, so groups created or moved here since the start are
   * included, and so is this node's controller replica: a stopping controller leader hands over
   * like a shard group's, instead of costing the controller an election timeout.
   */
  public LeadershipHandover leadershipHandover() {
    return NodeSettings.leadershipHandoverTimeout(config).<LeadershipHandover>map(timeout -> () -> {
      java.util.List<ReplicaHandover.Replica> local = new java.util.ArrayList<>();
      for (raft.GroupId g : placement.groups()) {
        boolean ctrl = g.equals(ShardedSpec.CONTROLLER);
        for (PeerId p : placement.replicasOf(g).keySet()) {
          if (!NodePlacement.nodeName(p).equals(spec.self())) continue;
          ReplicaKey key = new ReplicaKey(g, p);
          local.add(ctrl ? ReplicaHandover.Replica.of(g, p, ServiceRefs.<ShardCtrlServer.Command>of(system, key), ReplicaMove.SHARD_CTRL)
              : ReplicaHandover.Replica.of(g, p, ServiceRefs.<shardkv.ShardKvServer.Command>of(system, key), ReplicaMove.SHARD_KV));
        }
      }
      return new ReplicaHandover(system, local, timeout).handOver();
    }).orElse(LeadershipHandover.none());
  }

  /** The operator's handle: configuration, join and leave of groups, moves of shards and replicas, drains (one per node, so it sees every move run through it). */
  public synchronized ShardAdmin admin() {
    if (admin == null)
      admin = new AkkaShardAdmin(system, controller, placement, NodeSettings.shardAdminTimeout(config), mapping(),
          ControllerRecord.of(controller, spec).bootstrap());
    return admin;
  }

  /** What runs where, for the console. */
  public String banner() {
    StringBuilder b = new StringBuilder("raftkv sharded node ").append(spec.self()).append(" at ")
        .append(spec.hostPort(spec.self())).append(spec.joining() ? " (joining the Akka cluster through " + spec.seedNodes() + ")\n"
            : " (Akka cluster of " + spec.nodes().keySet() + ")\n");
    List<String> moved = KnownControllers.read(spec.dataDir());
    b.append("  controller replicas on ").append(spec.controller())
        .append(moved.isEmpty() ? "" : " at bootstrap, last read " + moved).append("\n");
    spec.groups().forEach((gid, at) -> b.append("  initial group ").append(gid).append(" on ").append(at).append('\n'));
    b.append("  data:    ").append(spec.dataDir().toAbsolutePath().normalize()).append(" (one group-commit journal, fsync ")
        .append(spec.fsync() ? "on" : "off").append(")")
        .append(ShardedBootstrap.done(spec) ? ", bootstrapped before: recovering" : ", first start: bootstrapping");
    return b.toString();
  }

  @Override
  public void close() {
    controller.close();
    KvNode.stop(system);
  }

  /** Blocks until the node stops. */
  public void awaitTermination() throws InterruptedException {
    KvNode.await(system);
  }
}
