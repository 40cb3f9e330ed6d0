package cli;

import bench.ColdStart;
import bench.VersusEtcd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench cold-start}: the options of {@link ColdStart}; prints its JSON line (and
 * writes it to {@code --out}). Exit 2, installing nothing, when wrk is missing.
 */
@Command(name = "cold-start", mixinStandardHelpOptions = true,
    description = "raftkv local started fresh: puts in the first seconds after ready against the same process warm, "
        + "per JVM variant (the first is as shipped); one JSON line with the cold/warm ratios.")
public final class BenchColdStartCommand implements Callable<Integer> {
  static final int MISSING_TOOL = 2;

  @Option(names = "--connections", description = "wrk connections (default ${DEFAULT-VALUE})")
  int connections = 1;

  @Option(names = "--seconds", description = "seconds of each measured window, cold and warm (default ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--warm", description = "unmeasured seconds between the two windows (default ${DEFAULT-VALUE})")
  int warm = 30;

  @Option(names = "--variant", description = "NAME=JVM_OPTIONS, run after the shipped JVM; repeatable "
      + "(e.g. --variant 'c1=-XX:TieredStopAtLevel=1')")
  List<String> variants = new ArrayList<>();

  @Mixin LocalRunOptions run = new LocalRunOptions();

  @Override
  public Integer call() throws Exception {
    Optional<Path> wrk = VersusEtcd.onPath("wrk", run.path);
    if (wrk.isEmpty()) {
      System.err.println("bench cold-start: wrk not found on PATH; this benchmark installs nothing: "
          + "install it (Debian 12: apt-get install -y wrk)");
      return MISSING_TOOL;
    }
    List<ColdStart.Variant> all = new ArrayList<>();
    all.add(ColdStart.Variant.SHIPPED);
    for (String v : variants) all.add(ColdStart.Variant.parse(v));
    ColdStart.Report report = ColdStart.run(new ColdStart.Options(wrk.get(), connections, seconds, warm, all, run.seed,
        Duration.ofSeconds(run.startTimeout)));
    run.emit(report.toJson());
    return 0;
  }
}
