package cli;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import node.GracefulShutdown;
import node.JitWarmUp;
import node.KvNode;
import node.NodeSettings;
import node.NodeSpec;
import node.http.NodeMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv local}: the whole replicated KV store in one JVM (three replicas of one group,
 * each on its own LevelDB journal under {@code --data}); runs until Ctrl-C, data survives restarts.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run 3 KV replicas of one Raft group in this JVM, on LevelDB under --data.")
public final class LocalCommand implements Callable<Integer> {
  @Option(names = "--data", description = "data directory (default ${DEFAULT-VALUE})")
  Path data = Path.of("data");

  @Option(names = "--config", description = "HOCON file with raftkv.* settings (default: reference.conf)")
  File configFile;

  @Option(names = "--http-port", description = "HTTP API port (default: raftkv.node.http.port; 0 = any free port, -1 = off)")
  Integer httpPort;

  @Option(names = "--sharded", description = "the sharded KV instead: 3 nodes in this JVM (a controller and groups 100, 101 of 3 replicas each; "
      + "--config may give raftkv.sharded), HTTP on the first")
  boolean sharded;

  @Override
  public Integer call() throws Exception {
    if (sharded) {
      var config = NodeSettings.shardedLocal(configFile);
      return ShardedRun.runAll(config, data, httpPort);
    }
    var config = NodeSettings.load(configFile);
    JitWarmUp.run(config);
    NodeSpec spec = NodeSettings.nodeSpec(config).asLocal(data);
    NodeMetrics metrics = new NodeMetrics(spec.group().toString());
    KvNode node = KvNode.start(spec, config, metrics);
    System.out.println(node.banner());
    GracefulShutdown.onSignals(node.system());
    NodeCommand.startHttp(node, config, httpPort, metrics);
    NodeCommand.printLeaderWhenElected(node);
    node.awaitTermination();
    return 0;
  }
}
