package cli;

import bench.KvBench;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The load options of {@code bench kv} and {@code bench shardkv}. */
final class KvLoadOptions {
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

  KvBench.Load load() {
    return new KvBench.Load(clients, millis(warmup), millis(seconds), reads, seed);
  }

  private static Duration millis(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }
}
