package node;

import akka.actor.typed.ActorSystem;
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
 * restart. Where a replica lives needs no update: its id names its node.
 */
final class PlacementFollower {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementFollower.class);
  private static final Duration WATCH = Duration.ofSeconds(10);
  private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final ShardCtrlClient controller;
  private final NodePlacement placement;
  private final AtomicReference<ShardConfig> latest = new AtomicReference<>();

  PlacementFollower(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement) {
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
      placement.learn(group, replicas);
    }
  }
}
