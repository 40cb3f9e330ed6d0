package node;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shardctrl.CtrlReply;
import shardctrl.ShardCtrlClient;

/**
 * A sharded node's place in the controller's node registry: at start it registers its own name and
 * address (a committed controller command, {@code RegisterNode}; the same again changes nothing),
 * then reads the registry every {@link #POLL} into its {@link NodePlacement}, so a node that joined
 * later is placeable here (and by the allocation strategy, if this node runs the coordinator) with
 * no change to this node's file. Registering makes no configuration, so the controller's Watch does
 * not announce it (a new configuration would make every shard group apply one through its log);
 * hence the poll, one read of the controller per node every 2 s. Admin operations that name a node
 * read the registry first ({@link #refresh}), so they need not wait for the poll.
 *
 * <p>A name the registry holds with another address is refused ({@code NodeNameInUse}): this node
 * logs why and stops its ActorSystem, since two nodes must never answer to one name.
 */
final class NodeRegistration {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);
  static final Duration POLL = Duration.ofSeconds(2);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final ShardCtrlClient controller;
  private final NodePlacement placement;
  private final String self;
  private final String hostPort;

  NodeRegistration(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, String self,
      String hostPort) {
    this.system = system;
    this.controller = controller;
    this.placement = placement;
    this.self = self;
    this.hostPort = hostPort;
  }

  /** Registers (retried until the controller answers), then follows the registry. */
  CompletableFuture<CtrlReply> start() {
    return Retry.until(system, () -> controller.registerNode(self, hostPort),
            r -> r.isResult() || r instanceof CtrlReply.Rejected, RETRY, null,
            "register node " + self)
        .whenComplete((r, e) -> {
          if (r instanceof CtrlReply.Nodes n) {
            LOG.info("node {} registered with the controller at {}; registered nodes {}", self, hostPort, n.nodes());
            learn(placement, n);
            system.scheduler().scheduleOnce(POLL, this::poll, system.executionContext());
          } else if (r instanceof CtrlReply.NodeNameInUse u) {
            LOG.error("node name {} is registered with the controller at {}, not at this node's {}: node names are unique;"
                + " stopping (give this node another name in raftkv.sharded.self)", u.node(), u.registeredAddress(), u.address());
            system.terminate();
          } else if (r != null) {
            LOG.error("node {}: registration refused: {}", self, r);
          }
        });
  }

  private void poll() {
    if (system.getWhenTerminated().toCompletableFuture().isDone()) return;
    refresh(controller, placement).whenComplete((v, e) ->
        system.scheduler().scheduleOnce(POLL, this::poll, system.executionContext()));
  }

  /** Reads the registry once into {@code placement}; completes when done (or the controller did not answer). */
  static CompletionStage<Void> refresh(ShardCtrlClient controller, NodePlacement placement) {
    return controller.registeredNodes().thenAccept(r -> {
      if (r instanceof CtrlReply.Nodes n) learn(placement, n);
    });
  }

  private static void learn(NodePlacement placement, CtrlReply.Nodes n) {
    SortedSet<String> added = placement.register(n.nodes(), NodeSpec.SYSTEM_NAME);
    if (!added.isEmpty()) LOG.info("registered nodes {} now placeable: {}", added, n.nodes());
  }
}
