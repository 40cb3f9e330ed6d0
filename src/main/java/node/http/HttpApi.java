package node.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.settings.ServerSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvLimits;
import node.GroupAdmin;
import journal.GroupCommitJournals;

/** Binds the KV HTTP API ({@link KvRoutes}) on one address of a node's ActorSystem. */
public final class HttpApi {
  private HttpApi() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, String host, int port) {
    return start(system, client, KvLimits.defaults(), host, port);
  }

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port) {
    return start(system, client, limits, host, port, NodeOps.defaults());
  }

  /**
   * Serves the KV API plus /livez, /readyz and /metrics ({@link OpsRoutes}); the binding joins
   * CoordinatedShutdown (unbind in service-unbind, in-flight requests get
   * {@code raftkv.node.http.shutdown-deadline} in service-requests-done).
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops) {
    return start(system, client, limits, host, port, ops, null);
  }

  /** As above, plus the membership API under /admin ({@link AdminRoutes}) over {@code admin} (null: none). */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops, GroupAdmin admin) {
    return start(system, client, limits, host, port, ops, admin, new NodeMetrics(ops.group()));
  }

  /**
   * As above, serving {@code metrics} at /metrics: the same object the node's replicas report their
   * journal writes and snapshots to ({@code KvNode.start(spec, config, metrics)}).
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops, GroupAdmin admin, NodeMetrics metrics) {
    return bind(system, client, limits, host, port, ops, admin == null ? null : new AdminRoutes(admin).route(), metrics);
  }

  /**
   * A sharded node: the KV API over {@code client} (every key routed to its group), the ops routes,
   * and the sharded admin API under /admin ({@link ShardAdminRoutes}).
   */
  public static CompletionStage<ServerBinding> startSharded(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops, ShardAdminRoutes admin) {
    return startSharded(system, client, limits, host, port, ops, admin, new NodeMetrics(ops.group()));
  }

  /**
   * As above, serving {@code metrics}: the ones the sharded node's replicas report to ({@code
   * ShardedNode.start}), plus the counters of the node's one group-commit journal (registered here, once).
   */
  public static CompletionStage<ServerBinding> startSharded(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops, ShardAdminRoutes admin, NodeMetrics metrics) {
    metrics.journals(GroupCommitJournals.get(system));
    return bind(system, client, limits, host, port, ops, admin.route(), metrics);
  }

  private static CompletionStage<ServerBinding> bind(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port, NodeOps ops, Route admin, NodeMetrics metrics) {
    Config config = system.settings().config();
    OpsRoutes opsRoutes = new OpsRoutes(system, client, ops, metrics);
    Duration poll = config.getDuration("raftkv.node.metrics-poll-interval");
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, poll, opsRoutes::refresh, system.executionContext());
    Duration deadline = config.getDuration("raftkv.node.http.shutdown-deadline");
    KvRoutes kv = new KvRoutes(client, limits);
    return Http.get(system).newServerAt(host, port)
        .withSettings(serverSettings(config, limits))
        .bind(opsRoutes.timed(() -> admin == null ? opsRoutes.route().orElse(kv.route())
            : opsRoutes.route().orElse(admin).orElse(kv.route())))
        .thenApply(b -> b.addToCoordinatedShutdown(deadline, system));
  }

  /** The server's body limit matches what KvLimits lets through, so a larger body fails early (413). */
  static ServerSettings serverSettings(Config base, KvLimits limits) {
    Config c = ConfigFactory.parseString("akka.http.server.parsing.max-content-length = "
        + KvRoutes.maxBodyBytes(limits)).withFallback(base);
    return ServerSettings.create(c);
  }
}
