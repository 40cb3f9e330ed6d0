package node;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import hosting.BirthCertificate;
import hosting.HostStatus;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import shardctrl.CtrlReply;
import shardctrl.ShardCtrlClient;

/**
 * The one-time start of a new sharded cluster (etcd's {@code initial-cluster-state=new}): each
 * node creates the replicas placed on it of the controller and of the initial groups (a
 * {@code BOOTSTRAP} birth certificate, all of a group's replicas its first voters), then the first
 * node of {@code raftkv.sharded.nodes} joins the initial groups to the controller, and each node
 * writes {@code <data-dir>/bootstrapped}. A node that finds that file never bootstraps again: its
 * replicas recover from their journals. A crash before the file is written repeats only harmless
 * steps (a Create to a replica that exists is answered Running; a Join of groups in use is refused
 * GidInUse and changes nothing).
 *
 * <p>What the marker cannot know: a node whose data directory was wiped would bootstrap its
 * replicas again, empty, under ids that already voted. Such a node must start with
 * {@code initial-cluster-state = existing} (its replicas then refuse to start, which is safe).
 */
final class ShardedBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedBootstrap.class);
  static final String MARKER = "bootstrapped";
  private static final Duration ASK = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private ShardedBootstrap() {}

  /** True if this node has bootstrapped before (or must never). */
  static boolean done(ShardedSpec spec) {
    return !spec.initialClusterStateNew() || Files.exists(spec.dataDir().resolve(MARKER));
  }

  /** Runs the bootstrap in the background; completes when it is done on this node. */
  static CompletableFuture<Void> run(ActorSystem<?> system, ShardedSpec spec, NodePlacement placement,
      ShardCtrlClient controller) {
    if (done(spec)) return CompletableFuture.completedFuture(null);
    Map<GroupId, List<PeerId>> groups = new LinkedHashMap<>();
    groups.put(ShardedSpec.CONTROLLER, ShardedSpec.replicas(spec.controller()));
    spec.groups().forEach((gid, at) -> groups.put(ShardedSpec.groupOf(gid), ShardedSpec.replicas(at)));
    List<CompletableFuture<HostStatus>> mine = new ArrayList<>();
    groups.forEach((g, replicas) -> {
      PeerId self = PeerId.of(spec.self());
      if (replicas.contains(self)) mine.add(createUntilRunning(system, new ReplicaKey(g, self), placement, replicas));
    });
    CompletableFuture<Void> created = CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new));
    boolean joiner = spec.self().equals(spec.nodes().firstKey());
    return created.thenCompose(v -> joiner && !spec.groups().isEmpty() ? joinInitialGroups(system, spec, controller)
            : CompletableFuture.<Void>completedFuture(null))
        .thenRun(() -> {
          writeMarker(spec.dataDir());
          LOG.info("node {} bootstrapped: its replicas of {} were created{}", spec.self(), groups.keySet(),
              joiner ? ", initial groups " + spec.groups().keySet() + " joined" : "");
        });
  }

  /** Creates one replica on its node until it answers Running (its node's region may not exist yet). */
  static CompletableFuture<HostStatus> createUntilRunning(ActorSystem<?> system, ReplicaKey key, NodePlacement placement,
      List<PeerId> voters) {
    Address node = placement.nodeOf(key).orElseThrow(() -> new IllegalArgumentException("no node for " + key));
    List<PeerId> sorted = new ArrayList<>(voters);
    sorted.sort(null);
    return Retry.until(system, () -> ReplicaHosting.create(system, key, node, sorted, BirthCertificate.Cause.BOOTSTRAP, ASK),
        s -> {
          if (s instanceof HostStatus.Refused r) LOG.warn("create {}: {}", key, r);
          return s instanceof HostStatus.Running;
        }, RETRY, null, "create " + key);
  }

  private static CompletableFuture<Void> joinInitialGroups(ActorSystem<?> system, ShardedSpec spec,
      ShardCtrlClient controller) {
    Map<Integer, List<String>> join = new LinkedHashMap<>();
    spec.groups().forEach((gid, at) -> join.put(gid, serverNames(ShardedSpec.groupOf(gid), ShardedSpec.replicas(at))));
    return Retry.until(system, () -> controller.join(join),
        r -> r instanceof CtrlReply.Config || r instanceof CtrlReply.GidInUse, RETRY, null, "join " + join.keySet())
        .thenAccept(r -> LOG.info("initial groups {}: {}", join.keySet(), r));
  }

  /** How a configuration names a group's servers: their entity ids ({@code g100|n1}). */
  static List<String> serverNames(GroupId group, List<PeerId> replicas) {
    List<String> names = new ArrayList<>();
    for (PeerId r : replicas) names.add(new ReplicaKey(group, r).entityId());
    return names;
  }

  private static void writeMarker(Path dataDir) {
    try {
      Files.writeString(dataDir.resolve(MARKER), "bootstrapped\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dataDir.resolve(MARKER), e);
    }
  }
}
