package cli;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import kvraft.KvLimits;
import node.GracefulShutdown;
import node.NodeSettings;
import node.ShardedNode;
import node.ShardedSpec;
import node.http.HttpApi;
import node.http.NodeMetrics;
import node.http.NodeOps;
import node.http.ShardAdminRoutes;

/** What {@code node} and {@code local --sharded} do with sharded nodes once their options are parsed. */
final class ShardedRun {
  private ShardedRun() {}

  /** The node-wide series' group label (the replicas' series carry their own group). */
  private static final String GROUP = "sharded";

  /** One sharded node in this process until it stops. */
  static int run(Config config, Path data, Integer httpPort) throws Exception {
    ShardedSpec spec = NodeSettings.shardedSpec(config);
    if (data != null) spec = spec.as(spec.self(), data);
    NodeMetrics metrics = new NodeMetrics(GROUP);
    ShardedNode node = ShardedNode.start(spec, config, metrics, metrics);
    System.out.println(node.banner());
    GracefulShutdown.handOverFirst(node.system(), node.leadershipHandover());
    GracefulShutdown.onSignals(node.system());
    startHttp(node, config, httpPort, metrics);
    node.bootstrapped().thenRun(() -> System.out.println("ready: node " + node.spec().self() + " hosts its replicas"));
    node.awaitTermination();
    return 0;
  }

  /** Every node of {@code config}'s cluster in this JVM (local mode); HTTP on the first. */
  static int runAll(Config config, Path data, Integer httpPort) throws Exception {
    ShardedSpec spec = NodeSettings.shardedSpec(config);
    NodeMetrics metrics = new NodeMetrics(GROUP);
    List<ShardedNode> nodes = ShardedNode.startAll(spec, data, config, metrics, metrics);
    for (ShardedNode n : nodes) System.out.println(n.banner());
    ShardedNode first = nodes.get(0);
    GracefulShutdown.onSignals(first.system());
    first.system().getWhenTerminated().thenRun(() -> nodes.forEach(n -> n.system().terminate()));
    startHttp(first, config, httpPort, metrics);
    java.util.concurrent.CompletableFuture.allOf(nodes.stream().map(ShardedNode::bootstrapped)
        .toArray(java.util.concurrent.CompletableFuture[]::new))
        .thenRun(() -> System.out.println("ready: " + nodes.size() + " nodes host their replicas"));
    first.awaitTermination();
    for (ShardedNode n : nodes) n.close();
    return 0;
  }

  private static void startHttp(ShardedNode node, Config config, Integer portOverride, NodeMetrics metrics)
      throws Exception {
    NodeCommand.serve(config, portOverride, node::close, (host, port) -> {
      NodeOps ops = new NodeOps(GROUP, Set.of(), config.getLong("raftkv.node.ready-max-apply-lag"));
      ShardAdminRoutes admin = new ShardAdminRoutes(node.admin(), NodeSettings.shardAdminTimeout(config));
      return HttpApi.startSharded(node.system(), node.client(), KvLimits.defaults(), host, port, ops, admin, metrics);
    }, "; curl .../admin/shards");
  }
}
