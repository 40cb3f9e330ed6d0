package node;

import akka.actor.typed.ActorSystem;
import hosting.HostStatus;
import hosting.ReplicaEntity;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;

/**
 * Keeps a node's {@link NodePlacement} knowing the groups of the controller's applied
 * configurations (by Watch: a long poll answered when a newer configuration is applied), so the
 * {@link hosting.ReplicaWaker} wakes this node's replicas of groups created at runtime after a
 * restart, and the controller's own replicas as its record lists them once a controller replica
 * has moved. Where a replica lives needs no update: its id names its node.
 */
final class PlacementFollower {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementFollower.class);
  private static final Duration WATCH = Duration.ofSeconds(10);
  private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final String self;
  private final ShardCtrlClient controller;
  private final NodePlacement placement;
  private final AtomicReference<ShardConfig> latest = new AtomicReference<>();
  /** The configuration number of the newest controller record learnt (answers may arrive out of order). */
  private final java.util.concurrent.atomic.AtomicLong controllersAt = new java.util.concurrent.atomic.AtomicLong(-1);

  /** Where the controller's servers last read are kept for the next start ({@link KnownControllers}); null: nowhere. */
  private final java.nio.file.Path dataDir;

  /** @param self this node's name: its replicas that a configuration drops are retired */
  PlacementFollower(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, String self) {
    this(system, controller, placement, self, null);
  }

  PlacementFollower(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, String self,
      java.nio.file.Path dataDir) {
    this.dataDir = dataDir;
    this.self = self;
    this.system = system;
    this.controller = controller;
    this.placement = placement;
  }

  /** The latest configuration seen, or null before the first answer. */
  ShardConfig latest() {
    return latest.get();
  }

  void start() {
    watch(-1);
  }

  private void watch(long after) {
    if (system.getWhenTerminated().toCompletableFuture().isDone()) return;
    controller.watch(after, WATCH).whenComplete((r, e) -> {
      if (r instanceof CtrlReply.Config c) {
        learn(c.config());
        watch(c.config().num());
      } else if (r instanceof CtrlReply.Unchanged) {
        watch(after);
      } else {
        system.scheduler().scheduleOnce(AFTER_FAILURE, () -> watch(after), system.executionContext());
      }
    });
  }

  private void learn(ShardConfig config) {
    latest.set(config);
    for (Map.Entry<Integer, List<String>> g : config.groups().entrySet()) {
      GroupId group = ShardedSpec.groupOf(g.getKey());
      List<PeerId> replicas = new ArrayList<>();
      for (String name : g.getValue()) {
        try {
          ReplicaKey key = ReplicaKey.parse(name);
          if (key.group().equals(group)) replicas.add(key.replica());
        } catch (IllegalArgumentException e) {
          LOG.warn("configuration {} names server '{}' of group {}, not a hosted replica; ignored", config.num(), name,
              g.getKey());
        }
      }
      retireDropped(config.num(), group, replicas);
      placement.learn(group, replicas);
    }
    // A change of the controller's own servers appends a configuration too: read its record again.
    controller.controllers().whenComplete((r, e) -> {
      if (r instanceof CtrlReply.Controllers c) learnControllers(c);
    });
  }

  /**
   * The controller's replicas follow its record once a move has written one (before that, the
   * config file's list stands), retiring this node's that the record dropped, as for a group.
   */
  private synchronized void learnControllers(CtrlReply.Controllers c) {
    if (c.servers().isEmpty() || c.num() <= controllersAt.get()) return;
    controllersAt.set(c.num());
    List<PeerId> replicas = new ArrayList<>();
    for (String name : c.servers()) replicas.add(ReplicaKey.parse(name).replica());
    retireDropped(c.num(), ShardedSpec.CONTROLLER, replicas);
    placement.learn(ShardedSpec.CONTROLLER, replicas);
    if (dataDir != null) KnownControllers.write(dataDir, c.servers());
  }

  /**
   * This node's replicas of {@code group} that were known (from the config file or an earlier
   * configuration) and that this configuration no longer lists were removed by a replica move
   * (a move lists a new replica before creating it, and unlists the old one only after the group
   * removed it), so they are retired: a node that was down during the move never runs its old
   * replica again.
   */
  private void retireDropped(long num, GroupId group, List<PeerId> now) {
    for (PeerId was : placement.replicasOf(group).keySet()) {
      if (now.contains(was) || !NodePlacement.nodeName(was).equals(self)) continue;
      ReplicaKey key = new ReplicaKey(group, was);
      LOG.info("configuration {} no longer lists {} of this node {}: retiring it", num, key, self);
      ReplicaHosting.entityRef(system, key).<HostStatus>ask(ReplicaEntity.Retire::new, Duration.ofSeconds(10))
          .whenComplete((s, e) -> {
            if (e != null) LOG.warn("retiring {} got no answer ({}); it is no longer woken here, and a restart retries it if the config file places it", key, e.toString());
          });
    }
  }
}
