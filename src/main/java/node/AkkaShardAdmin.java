package node;

import akka.actor.typed.ActorSystem;
import hosting.HostStatus;
import hosting.ReplicaEntity;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;
import shardkv.KeyRanges;
import shardkv.ShardKvServer;
import shardkv.ShardMapping;
import shardkv.ShardStatus;

/**
 * {@link ShardAdmin} of a sharded node: the controller through its client, replicas through
 * {@link ReplicaHosting}. Placement needs no step of its own: a replica's id names its node
 * ({@link NodePlacement}).
 */
final class AkkaShardAdmin implements ShardAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(AkkaShardAdmin.class);
  private static final Duration ASK = Duration.ofSeconds(5);
  private static final Duration POLL = Duration.ofMillis(500);
  /** A watch's answer may take its wait plus the controller client's retries (deadline 10 s) and one query. */
  private static final Duration WATCH_SLACK = Duration.ofSeconds(25);
  /** Each ask of a replica for GET /admin/shard: short, an operator waits on it. */
  private static final Duration STATE_ASK = Duration.ofSeconds(2);
  private static final Duration MIN_REWATCH = Duration.ofMillis(50);

  private final ActorSystem<?> system;
  private final ShardCtrlClient controller;
  private final NodePlacement placement;
  /** How long a join (replica creation) or a leave (drain and retire) may take before it answers Timeout. */
  private final Duration timeout;
  private final Optional<KeyRanges> keyRanges;
  /** The groups with a replica move running through this node, to what it moves. */
  private final java.util.concurrent.ConcurrentHashMap<Integer, String> moving = new java.util.concurrent.ConcurrentHashMap<>();
  /** The controller's own servers: its record, seeded from the config file's list. */
  private final ControllerRecord controllers;

  /** Without the controller's bootstrap list: its replicas cannot move (a move is refused as malformed). */
  AkkaShardAdmin(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, Duration timeout,
      ShardMapping mapping) {
    this(system, controller, placement, timeout, mapping, List.of());
  }

  /** @param controllerBootstrap the controller's servers from the config file (entity ids): what its record starts from */
  AkkaShardAdmin(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, Duration timeout,
      ShardMapping mapping, List<String> controllerBootstrap) {
    this.controllers = new ControllerRecord(controller, controllerBootstrap);
    this.system = system;
    this.controller = controller;
    this.placement = placement;
    this.timeout = timeout;
    this.keyRanges = mapping instanceof KeyRanges k ? Optional.of(k) : Optional.empty();
  }

  @Override
  public CompletionStage<CtrlReply> shards() {
    return controller.query(-1);
  }

  @Override
  public CompletionStage<CtrlReply> joinGroup(int gid, List<String> nodes) {
    return registryRead().thenCompose(v -> joinGroupNow(gid, nodes));
  }

  /** The controller's node registry read into the placement: a node registered a moment ago is known to the operation that names it. */
  private CompletionStage<Void> registryRead() {
    return NodeRegistration.refresh(controller, placement).exceptionally(e -> null);
  }

  private CompletionStage<CtrlReply> joinGroupNow(int gid, List<String> nodes) {
    if (gid <= 0) return done(new CtrlReply.InvalidGid(gid));
    if (nodes.isEmpty()) return done(new CtrlReply.Rejected("group " + gid + ": no nodes given"));
    Set<String> seen = new HashSet<>();
    for (String n : nodes) {
      if (placement.node(n).isEmpty()) return done(new CtrlReply.Rejected("group " + gid + ": no node '" + n + "' in this cluster"));
      if (!seen.add(n)) return done(new CtrlReply.Rejected("group " + gid + ": node " + n + " named twice; replicas of one group are on distinct nodes"));
    }
    GroupId group = ShardedSpec.groupOf(gid);
    List<PeerId> replicas = ShardedSpec.replicas(nodes);
    return controller.query(-1).thenCompose(latest -> {
      if (!(latest instanceof CtrlReply.Config c)) return done(latest);
      if (c.config().groups().containsKey(gid)) return done(new CtrlReply.GidInUse(gid));
      return usedBefore(gid, c.config().num() - 1).thenCompose(used -> {
        if (used == null) return done(CtrlReply.TIMEOUT);
        if (used) return done(new CtrlReply.Rejected("group " + gid + " was in an earlier configuration; a gid is "
            + "never used again (its replicas may still be draining or are retired)"));
        return createThenJoin(gid, group, replicas);
      });
    });
  }

  /**
   * Whether {@code gid} is in configuration {@code num} or an earlier one (null if the controller
   * did not answer). A gid that left may still be draining: joining it again would let the
   * pending retirement retire a group that owns shards.
   */
  private CompletionStage<Boolean> usedBefore(int gid, long num) {
    if (num < 1) return CompletableFuture.completedFuture(false);
    return controller.query(num).thenCompose(r -> {
      if (!(r instanceof CtrlReply.Config c)) return CompletableFuture.completedFuture((Boolean) null);
      if (c.config().groups().containsKey(gid)) return CompletableFuture.completedFuture(true);
      return usedBefore(gid, num - 1);
    });
  }

  private CompletionStage<CtrlReply> createThenJoin(int gid, GroupId group, List<PeerId> replicas) {
    placement.learn(group, replicas);
    List<CompletableFuture<HostStatus>> created = new ArrayList<>();
    for (PeerId r : replicas) created.add(create(new ReplicaKey(group, r), replicas));
    return CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).handle((v, e) -> {
      for (CompletableFuture<HostStatus> f : created) {
        HostStatus s = f.isCompletedExceptionally() ? null : f.join();
        if (s instanceof HostStatus.Refused r)
          return (CtrlReply) new CtrlReply.Rejected("replica " + r.key() + " cannot be created: " + r.explanation()
              + " (a gid whose replicas were retired cannot be used again)");
      }
      if (e != null) {
        LOG.warn("group {}: its replicas did not all start within {}: {}", gid, timeout, e.toString());
        return (CtrlReply) CtrlReply.TIMEOUT;
      }
      return null;
    }).thenCompose(failed -> failed != null ? done(failed)
        : controller.join(Map.of(gid, ShardedBootstrap.serverNames(group, replicas))));
  }

  /** Creates one replica of a new group; a refusal (e.g. a retired id) ends it at once. */
  private CompletableFuture<HostStatus> create(ReplicaKey key, List<PeerId> voters) {
    var node = placement.nodeOf(key).orElseThrow();
    List<PeerId> sorted = new ArrayList<>(voters);
    sorted.sort(null);
    return Retry.until(system, () -> ReplicaHosting.create(system, key, node, sorted,
            hosting.BirthCertificate.Cause.BOOTSTRAP, ASK), s -> s != null, POLL, timeout, "create " + key)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<CtrlReply> leaveGroup(int gid) {
    GroupId group = ShardedSpec.groupOf(gid);
    return controller.query(-1).thenCompose(latest -> {
      if (!(latest instanceof CtrlReply.Config c)) return done(latest);
      List<String> servers = c.config().groups().get(gid);
      if (servers == null) return done(new CtrlReply.UnknownGid(gid));
      if (c.config().groups().size() == 1)
        return done(new CtrlReply.Rejected("group " + gid + " is the only group: its shards would have no owner"));
      return controller.leave(gid).thenCompose(left -> {
        if (!(left instanceof CtrlReply.Config l)) return done(left);
        CompletableFuture<Void> retired = drainThenRetire(group, servers, l.config());
        return retired.handle((v, e) -> {
          if (e == null) return (CtrlReply) left;
          LOG.warn("group {} left in configuration {} but is not drained and retired within {} ({}); it goes on",
              gid, l.config().num(), timeout, e.toString());
          return CtrlReply.TIMEOUT;
        });
      });
    });
  }

  /**
   * Waits until the group has applied configuration {@code without} (the first without it) and
   * holds no shard in any state (each was pulled by its new owner, which then had it deleted here),
   * then retires each replica. Nothing later can need the group: it applied {@code without} only
   * with every earlier hand-over done, and no later configuration names it.
   */
  private CompletableFuture<Void> drainThenRetire(GroupId group, List<String> servers, ShardConfig without) {
    List<ReplicaKey> keys = servers.stream().map(ReplicaKey::parse).toList();
    CompletableFuture<ShardKvServer.Shards> drained = Retry.until(system, () -> ShardStates.firstShards(system, keys, 0, ASK),
        s -> s.configNum() >= without.num() && s.statuses().stream().allMatch(x -> x == ShardStatus.ABSENT),
        POLL, null, "drain " + group);
    CompletableFuture<Void> retired = drained.thenCompose(s -> {
      LOG.info("group {} holds no shard at configuration {}: retiring its replicas {}", group, s.configNum(), keys);
      List<CompletableFuture<HostStatus>> all = new ArrayList<>();
      for (ReplicaKey k : keys)
        all.add(Retry.until(system,
            () -> ReplicaHosting.entityRef(system, k).<HostStatus>ask(ReplicaEntity.Retire::new, ASK),
            st -> st instanceof HostStatus.Refused r && r.reason() == HostStatus.Reason.RETIRED, POLL, null, "retire " + k));
      return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    });
    return retired.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<CtrlReply> move(int shard, int gid) {
    return controller.move(shard, gid);
  }

  @Override
  public CompletionStage<CtrlReply> watch(long afterNum, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    // The controller's client answers Timeout within its deadline; this bound only guards against a lost stage.
    return watchUntil(afterNum, deadline).thenCompose(r -> firstAfter(afterNum, r)).toCompletableFuture().copy()
        .completeOnTimeout(CtrlReply.TIMEOUT, wait.plus(WATCH_SLACK).toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Watches again while the controller (which cuts one watch to its max-watch) answers Unchanged before the deadline. */
  private CompletionStage<CtrlReply> watchUntil(long afterNum, long deadline) {
    long left = deadline - System.nanoTime();
    return controller.watch(afterNum, Duration.ofNanos(Math.max(0, left))).thenCompose(r ->
        r instanceof CtrlReply.Unchanged && deadline - System.nanoTime() > MIN_REWATCH.toNanos()
            ? watchUntil(afterNum, deadline) : done(r));
  }

  /** The controller's watch answers its latest configuration, which may be past {@code afterNum + 1}. */
  private CompletionStage<CtrlReply> firstAfter(long afterNum, CtrlReply r) {
    if (afterNum < 0 || !(r instanceof CtrlReply.Config c) || c.config().num() == afterNum + 1) return done(r);
    return controller.query(afterNum + 1);
  }

  @Override
  public CompletionStage<List<ShardState>> shardStates(ShardConfig config, List<Integer> shards) {
    return ShardStates.of(system, config, shards, STATE_ASK);
  }

  @Override
  public CompletionStage<List<ReplicaShards>> groupShards(ShardConfig config, int gid) {
    return GroupShards.of(system, config.groups().getOrDefault(gid, List.of()), STATE_ASK);
  }

  @Override
  public Optional<KeyRanges> keyRanges() {
    return keyRanges;
  }

  @Override
  public CompletionStage<CtrlReply> moveReplica(int gid, String from, String to) {
    return moveAsync(new ShardGroupRecord(controller, gid), from, to);
  }

  @Override
  public CompletionStage<CtrlReply> moveControllerReplica(String from, String to) {
    return moveAsync(controllers, from, to);
  }

  /**
   * The move claimed on the caller's thread, then run on the blocking dispatcher once the node
   * registry was read (so a node registered a moment ago is known): a second move of the group asked
   * after this call returned is refused, whichever thread gets to run first.
   */
  private CompletionStage<CtrlReply> moveAsync(ReplicaRecord record, String from, String to) {
    Optional<CtrlReply> busy = claim(record.gid(), from, to);
    if (busy.isPresent()) return done(busy.get());
    return registryRead().thenApplyAsync(v -> runClaimed(record, from, to), blocking());
  }

  private CtrlReply moveNow(int gid, String from, String to) {
    return moveNow(new ShardGroupRecord(controller, gid), from, to);
  }

  private CtrlReply moveNow(ReplicaRecord record, String from, String to) {
    Optional<CtrlReply> busy = claim(record.gid(), from, to);
    return busy.isPresent() ? busy.get() : runClaimed(record, from, to);
  }

  /** One move of a group at a time through this node (the controller's under gid 0): MoveInProgress if one runs. */
  private Optional<CtrlReply> claim(int gid, String from, String to) {
    String running = moving.putIfAbsent(gid, from + " -> " + to);
    return running == null ? Optional.empty()
        : Optional.of(new CtrlReply.MoveInProgress(gid, "moving its replica " + running + " (through this node)"));
  }

  /** Runs a move of a group this node has claimed in {@link #moving}, and releases it. */
  private CtrlReply runClaimed(ReplicaRecord record, String from, String to) {
    try {
      return new ReplicaMove(system, controller, placement, timeout).run(record, from, to);
    } finally {
      moving.remove(record.gid());
    }
  }

  @Override
  public CompletionStage<NodeDrain> drainNode(String node) {
    return registryRead().thenApplyAsync(v -> drainNow(node), blocking());
  }

  private NodeDrain drainNow(String node) {
    List<String> moved = new ArrayList<>();
    List<String> notMoved = List.of(); // every replica moves now, the controller's too
    if (placement.node(node).isEmpty())
      return new NodeDrain(node, moved, List.of(), notMoved, new CtrlReply.UnknownNode(node));
    while (true) {
      CtrlReply latest = await(controller.query(-1));
      if (!(latest instanceof CtrlReply.Config c)) return new NodeDrain(node, moved, List.of(), notMoved, latest);
      List<String> left = ReplicaPlanner.replicasOn(c.config(), node);
      if (left.isEmpty()) return drainControllerReplicas(node, c.config(), moved);
      ReplicaKey next = ReplicaKey.parse(left.get(0));
      int gid = ShardedSpec.gidOf(next.group());
      Optional<String> target = ReplicaPlanner.target(c.config(), gid, node, upNodes());
      if (target.isEmpty())
        return new NodeDrain(node, moved, left, notMoved, new CtrlReply.Rejected("no Up node without a replica of group "
            + gid + " to move " + next + " to: add (or start) a node first"));
      CtrlReply r = moveNow(gid, node, target.get());
      if (!(r instanceof CtrlReply.Config after)) return new NodeDrain(node, moved, left, notMoved, r);
      List<String> now = after.config().groups().get(gid);
      moved.add(next + " -> " + now.get(now.size() - 1));
      LOG.info("drain of node {}: moved {} -> {}", node, next, now.get(now.size() - 1));
    }
  }

  /**
   * Once no shard group has a replica on {@code node}: the controller's replica there, if any, to
   * the Up node without one that hosts the fewest replicas, by the same move.
   */
  private NodeDrain drainControllerReplicas(String node, ShardConfig config, List<String> moved) {
    List<String> notMoved = List.of();
    while (true) {
      CtrlReply recorded = await(controllers.read());
      if (!controllers.lists(recorded)) return new NodeDrain(node, moved, List.of(), notMoved, recorded);
      List<String> servers = controllers.serversIn(recorded);
      List<String> left = servers.stream().filter(s -> NodePlacement.nodeName(ReplicaKey.parse(s).replica()).equals(node)).toList();
      if (left.isEmpty()) return new NodeDrain(node, moved, left, notMoved, null);
      Optional<String> target = ReplicaPlanner.target(config, servers, servers, node, upNodes());
      if (target.isEmpty())
        return new NodeDrain(node, moved, left, notMoved, new CtrlReply.Rejected("no Up node without a controller replica "
            + "to move " + left.get(0) + " to: add (or start) a node first"));
      CtrlReply r = moveNow(controllers, node, target.get());
      if (!controllers.lists(r)) return new NodeDrain(node, moved, left, notMoved, r);
      List<String> now = controllers.serversIn(r);
      moved.add(left.get(0) + " -> " + now.get(now.size() - 1));
      LOG.info("drain of node {}: moved {} -> {}", node, left.get(0), now.get(now.size() - 1));
    }
  }

  /** The nodes that are Up members of the Akka cluster now: a drain moves replicas only to those. */
  private List<String> upNodes() {
    var members = members();
    return placement.nodeNames().stream().filter(n -> members.isUp(placement.node(n).orElseThrow())).toList();
  }

  private hosting.PinnedAllocationStrategy.Members members() {
    return hosting.PinnedAllocationStrategy.Members.of(
        akka.cluster.Cluster.get(akka.actor.typed.javadsl.Adapter.toClassic(system)));
  }

  @Override
  public CompletionStage<NodeReplicas> nodes() {
    Map<Integer, String> running = Map.copyOf(moving);
    return registryRead().thenCompose(v -> controller.query(-1)).thenApply(r -> {
      if (!(r instanceof CtrlReply.Config c)) return null;
      var members = members();
      Map<String, NodeReplicas.Node> nodes = new java.util.TreeMap<>();
      for (String n : placement.nodeNames()) {
        List<String> replicas = new ArrayList<>(ReplicaPlanner.replicasOn(c.config(), n));
        replicas.addAll(controllerReplicasOn(n));
        akka.actor.Address at = placement.node(n).orElseThrow();
        nodes.put(n, new NodeReplicas.Node(members.isUp(at), replicas, at.host().get() + ":" + at.port().get()));
      }
      return NodeReplicas.of(c.config().num(), nodes, running);
    });
  }

  private List<String> controllerReplicasOn(String node) {
    List<String> out = new ArrayList<>();
    for (PeerId p : placement.replicasOf(ShardedSpec.CONTROLLER).keySet())
      if (NodePlacement.nodeName(p).equals(node)) out.add(new ReplicaKey(ShardedSpec.CONTROLLER, p).entityId());
    return out;
  }

  private java.util.concurrent.Executor blocking() {
    return system.dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking());
  }

  private static CtrlReply await(CompletionStage<CtrlReply> s) {
    try {
      return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CtrlReply.TIMEOUT;
    } catch (Exception e) {
      return CtrlReply.TIMEOUT;
    }
  }

  private static CompletionStage<CtrlReply> done(CtrlReply r) {
    return CompletableFuture.completedFuture(r);
  }
}
