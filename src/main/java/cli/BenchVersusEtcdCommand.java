package cli;

import bench.VersusEtcd;
import bench.VersusReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench versus-etcd}: the options of {@link VersusEtcd}; prints its JSON line
 * (and writes it to {@code --out}). Exit 2, installing nothing, when etcd or wrk is missing.
 */
@Command(name = "versus-etcd", mixinStandardHelpOptions = true,
    description = "3-member etcd on loopback vs raftkv local, same wrk workload back to back: put, "
        + "linearizable get, serializable get per connection count; one JSON line with ratios and issue 12's targets.")
public final class BenchVersusEtcdCommand implements Callable<Integer> {
  static final int MISSING_TOOL = 2;

  @Option(names = "--seconds", description = "measured seconds per cell and side (default ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--warmup", description = "warm-up seconds before each measured run, 0 = none (default ${DEFAULT-VALUE})")
  int warmup = 5;

  @Option(names = "--connections", split = ",", description = "connection counts (default ${DEFAULT-VALUE})")
  List<Integer> connections = List.of(1, 16, 256);

  @Mixin LocalRunOptions run = new LocalRunOptions();

  @Override
  public Integer call() throws Exception {
    Path[] tools;
    try {
      tools = VersusEtcd.requireTools(run.path);
    } catch (VersusEtcd.MissingTool e) {
      System.err.println("bench versus-etcd: " + e.getMessage());
      return MISSING_TOOL;
    }
    VersusReport report = VersusEtcd.run(new VersusEtcd.Options(tools[0], tools[1], seconds, warmup, connections, run.seed,
        Duration.ofSeconds(run.startTimeout)));
    run.emit(report.toJson());
    return 0;
  }
}
