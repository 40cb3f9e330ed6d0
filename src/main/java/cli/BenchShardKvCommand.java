package cli;

import bench.ResultFile;
import bench.ShardKvBench;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench shardkv}: the options of {@link ShardKvBench} (the kv load on the sharded
 * local cluster, started in this JVM on fresh data); prints its JSON line and writes it to
 * target/bench/shardkv.json.
 */
@Command(name = "shardkv", mixinStandardHelpOptions = true,
    description = "The kv load (16 B keys, 256 B values) on the sharded local cluster: 3 nodes in this JVM, "
        + "a controller and --groups groups of 3 replicas, the keys cut into n-shards equal ranges.")
public final class BenchShardKvCommand implements Callable<Integer> {
  @Mixin KvLoadOptions loadOptions = new KvLoadOptions();

  @Option(names = "--groups", description = "shard groups, each with a replica on every node: joined beyond the "
      + "initial 100, 101 (or 101 leaving for 1) before measuring (default ${DEFAULT-VALUE})")
  int groups = 2;

  @Option(names = "--migrate", description = "then, on the same cluster, move a shard pre-loaded with "
      + "--migrate-mb MiB to another group under the load and measure the other shards before and during the move")
  boolean migrate;

  @Option(names = "--migrate-mb", description = "MiB pre-loaded into the moving shard (default ${DEFAULT-VALUE})")
  double migrateMb = 16;

  @Option(names = "--out", description = "where the JSON line is also written (default ${DEFAULT-VALUE})")
  Path out = Path.of("target/bench/shardkv.json");

  @Option(names = "--data", description = "data directory of the three nodes, emptied first (default ${DEFAULT-VALUE})")
  Path data = Path.of("target/bench/shardkv-data");

  @Override
  public Integer call() throws Exception {
    OptionalLong preload = migrate ? OptionalLong.of(Math.round(migrateMb * 1024 * 1024)) : OptionalLong.empty();
    String json = ShardKvBench.embedded(data, groups, loadOptions.load(), preload).toJson();
    System.out.println(json);
    ResultFile.write(out, json);
    return 0;
  }
}
