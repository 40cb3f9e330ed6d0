package cli;

import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import kvraft.KvClient;
import kvraft.KvLimits;
import node.GracefulShutdown;
import node.KvNode;
import node.NodeSettings;
import node.NodeSpec;
import node.ShardedNode;
import node.http.HttpApi;
import node.http.NodeMetrics;
import node.http.NodeOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import raft.core.RaftStatus;

/**
 * {@code bin/raftkv node --config conf/node-1.conf}: one replica of the group in this process;
 * the group's processes (node-1..3) form an Akka cluster and a Raft group at the configured
 * addresses. Runs until killed; the replica recovers from its journal when started again.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one KV replica (raftkv.node.id) of a multi-process group, or a sharded node (raftkv.sharded.self).")
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "HOCON file with raftkv.node (id, peers, data-dir) or raftkv.sharded (self, nodes, controller, groups)")
  File configFile;

  @Option(names = "--data", description = "data directory (overrides raftkv.node.data-dir)")
  Path data;

  @Option(names = "--http-port", description = "HTTP API port (default: raftkv.node.http.port; 0 = any free port, -1 = off)")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    if (NodeSettings.isSharded(configFile)) return ShardedRun.run(NodeSettings.load(configFile, ShardedNode.NODE_LAYER), data, httpPort);
    var config = NodeSettings.load(configFile, KvNode.NODE_LAYER);
    NodeSpec spec = NodeSettings.nodeSpec(config);
    if (spec.isLocal()) throw new IllegalArgumentException("raftkv.node.id is not set in " + configFile);
    if (data != null) spec = spec.withDataDir(data);
    NodeMetrics metrics = new NodeMetrics(spec.group().toString());
    KvNode node = KvNode.start(spec, config, metrics);
    System.out.println(node.banner());
    GracefulShutdown.onSignals(node.system());
    NodeCommand.startHttp(node, config, httpPort, metrics);
    printLeaderWhenElected(node);
    node.awaitTermination();
    return 0;
  }

  /** Serves the HTTP API of {@code node} unless the port is -1; prints where, or fails the start. */
  static void startHttp(KvNode node, Config config, Integer portOverride, NodeMetrics metrics) throws Exception {
    serve(config, portOverride, node::close, (host, port) -> {
      NodeOps ops = new NodeOps(node.spec().group().toString(), java.util.Set.copyOf(node.spec().hosted()),
          config.getLong("raftkv.node.ready-max-apply-lag"));
      return HttpApi.start(node.system(), node.client(), KvLimits.defaults(), host, port, ops, node.admin(), metrics);
    }, "");
  }

  /**
   * Binds an HTTP API at raftkv.node.http (or {@code portOverride}; -1: none) and prints where; if it
   * cannot listen, runs {@code close} and fails the start. {@code hint} is appended to the printed line.
   */
  static void serve(Config config, Integer portOverride, Runnable close,
      java.util.function.BiFunction<String, Integer, java.util.concurrent.CompletionStage<ServerBinding>> bind,
      String hint) throws Exception {
    String host = config.getString("raftkv.node.http.host");
    int port = portOverride != null ? portOverride : config.getInt("raftkv.node.http.port");
    if (port < 0) return;
    ServerBinding binding;
    try {
      binding = bind.apply(host, port).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      close.run();
      throw new IllegalStateException("the HTTP API cannot listen on " + host + ":" + port
          + " (in use? set --http-port, or raftkv.node.http.port; -1 switches it off): " + e.getCause().getMessage(), e);
    }
    InetSocketAddress at = binding.localAddress();
    String base = "http://" + at.getHostString() + ":" + at.getPort();
    System.out.println("  http:    " + base + "   (try: curl -X PUT -d hello " + base + "/kv/greeting" + hint + ")");
  }

  /** Prints one line once the group has a leader (in the background; never blocks startup). */
  static void printLeaderWhenElected(KvNode node) {
    Thread t = new Thread(() -> {
      try (KvClient client = node.client()) {
        for (int i = 0; i < 600; i++) {
          List<RaftStatus> all = client.status().toCompletableFuture().get();
          for (RaftStatus s : all) {
            if (s.isLeader()) {
              System.out.println("ready: leader " + s.id() + " at term " + s.term() + ", commit index " + s.commitIndex());
              return;
            }
          }
          Thread.sleep(200);
        }
      } catch (Exception e) {
        System.out.println("status unavailable: " + e);
      }
    }, "leader-watch");
    t.setDaemon(true);
    t.start();
  }
}
