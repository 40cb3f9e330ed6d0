package cli;

import akka.http.javadsl.ServerBinding;
import cli.bench.EtcdKvClient;
import cli.bench.KvBench;
import com.typesafe.config.Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import kvraft.KvClient;
import node.KvNode;
import node.NodeSettings;
import node.http.HttpApi;
import node.http.HttpKvClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench kv}: closed-loop Get/Put load ({@link cli.bench.KvWorkload}) through a
 * KvClient, a node's HTTP API ({@code --http}) or etcd's JSON gateway ({@code --etcd}). Prints one
 * JSON line and writes it to target/bench/kv.json.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "KV throughput and p50/p99 per operation: 16 B keys (10,000), 256 B values.")
public final class BenchKvCommand implements Callable<Integer> {
  @Mixin KvTarget target = new KvTarget();

  @Option(names = "--clients", description = "concurrent closed-loop clients (default ${DEFAULT-VALUE})")
  int clients = 16;

  @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
  double seconds = 10;

  @Option(names = "--warmup", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  double warmup = 2;

  @Option(names = "--reads", description = "percentage of Gets, the rest Puts (default ${DEFAULT-VALUE})")
  int reads = 50;

  @Option(names = "--seed", description = "workload seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--etcd", description = "run against etcd's v3 JSON gateway instead, e.g. http://127.0.0.1:2379")
  URI etcd;

  @Option(names = "--out", description = "where the JSON line is also written (default ${DEFAULT-VALUE})")
  Path out = Path.of("target/bench/kv.json");

  @Option(names = "--data", description = "journal directory of the embedded group, emptied first (default ${DEFAULT-VALUE})")
  Path data = Path.of("target/bench/kv-data");

  @Option(names = "--over-http", description = "embedded group: go through its HTTP API instead of the Java client")
  boolean overHttp;

  private final KvTarget.Connector override;

  public BenchKvCommand() {
    this(null);
  }

  /** With a connector that replaces --config/--http (tests). */
  public BenchKvCommand(KvTarget.Connector override) {
    this.override = override;
  }

  @Override
  public Integer call() throws Exception {
    if (etcd == null && override == null && target.http == null && target.config == null) return embedded();
    String name = etcd != null ? "etcd" : override != null ? "kvclient" : target.name();
    try (KvClient client = etcd != null ? new EtcdKvClient(etcd, target.timeout)
        : override != null ? override.connect() : target.connect()) {
      return run(name, client);
    }
  }

  /**
   * No target given: start the embedded default (3 replicas in this JVM on fresh LevelDB journals
   * with fsync on, as {@code bin/raftkv local}) and measure it through the Java client, or
   * through its HTTP API with {@code --over-http}.
   */
  private int embedded() throws Exception {
    BenchRaftCommand.deleteRecursively(data);
    Config config = NodeSettings.load(null);
    try (KvNode node = KvNode.start(NodeSettings.nodeSpec(config).asLocal(data), config)) {
      if (!overHttp) {
        try (KvClient client = node.client()) {
          return run("embedded", client);
        }
      }
      ServerBinding binding = HttpApi.start(node.system(), node.client(), "127.0.0.1", 0)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
      try (KvClient client = new HttpKvClient(base, target.timeout)) {
        return run("embedded-http", client);
      }
    }
  }

  private int run(String name, KvClient client) throws IOException, InterruptedException {
    KvBench.Result r = KvBench.run(name, client, clients, millis(warmup), millis(seconds), reads, seed);
    String json = r.toJson();
    System.out.println(json);
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, json + "\n");
    return 0;
  }

  private static Duration millis(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }
}
