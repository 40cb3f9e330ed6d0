package cli;

import bench.EtcdKvClient;
import bench.KvBench;
import bench.ResultFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import kvraft.KvClient;
import raft.rsm.ReadConsistency;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench kv}: the options of {@link KvBench} (closed-loop Get/Put load through a
 * KvClient, a node's HTTP API with {@code --http}, etcd's JSON gateway with {@code --etcd}, or the
 * embedded default group); prints its JSON line and writes it to target/bench/kv.json.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "KV throughput and p50/p99/p99.9/max per operation: 16 B keys (10,000), 256 B values.")
public final class BenchKvCommand implements Callable<Integer> {
  @Mixin KvTarget target = new KvTarget();

  @Mixin KvLoadOptions loadOptions = new KvLoadOptions();

  @Option(names = "--etcd", description = "run against etcd's v3 JSON gateway instead, e.g. http://127.0.0.1:2379")
  URI etcd;

  @Option(names = "--out", description = "where the JSON line is also written (default ${DEFAULT-VALUE})")
  Path out = Path.of("target/bench/kv.json");

  @Option(names = "--data", description = "journal directory of the embedded group, emptied first (default ${DEFAULT-VALUE})")
  Path data = Path.of("target/bench/kv-data");

  @Option(names = "--consistency", split = ",", description = "read levels (linearizable, lease, serializable);"
      + " several, comma-separated, run back to back on one embedded group with lease reads configured (default linearizable)")
  List<String> consistency = List.of("linearizable");

  @Option(names = "--over-http", description = "embedded group: go through its HTTP API instead of the Java client")
  boolean overHttp;

  @Option(names = "--callbacks", description = "embedded group, Java client: each client a closed loop of callbacks"
      + " (as bench raft's proposers are actors) instead of a thread of its own")
  boolean callbacks;

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
    List<ReadConsistency> levels = new ArrayList<>();
    for (String c : consistency) {
      levels.add(ReadConsistency.parse(c).orElseThrow(() -> new CommandLine.ParameterException(
          new CommandLine(this), "unknown consistency '" + c + "'; allowed: " + ReadConsistency.allowed())));
    }
    KvBench.Load load = loadOptions.load().at(levels.get(0));
    boolean local = etcd == null && override == null && target.http == null && target.config == null;
    if (callbacks && (!local || overHttp || levels.size() > 1 || levels.contains(ReadConsistency.LEASE)))
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--callbacks drives the embedded group through the Java client at one read level other than lease");
    if (local && (levels.size() > 1 || levels.contains(ReadConsistency.LEASE))) {
      StringBuilder all = new StringBuilder();
      for (KvBench.Result r : KvBench.embeddedLevels(data, levels, load)) {
        System.out.println(r.toJson());
        all.append(r.toJson()).append('\n');
      }
      ResultFile.write(out, all.toString().strip());
      return 0;
    }
    KvBench.Result result;
    if (local && callbacks && !overHttp) {
      result = KvBench.embeddedCallbacks(data, load);
    } else if (local) {
      result = KvBench.embedded(data, overHttp, target.timeout, load);
    } else {
      String name = etcd != null ? "etcd" : override != null ? "kvclient" : target.name();
      try (KvClient client = etcd != null ? new EtcdKvClient(etcd, target.timeout)
          : override != null ? override.connect() : target.connect()) {
        result = KvBench.run(name, client, load);
      }
    }
    String json = result.toJson();
    System.out.println(json);
    ResultFile.write(out, json);
    return 0;
  }
}
