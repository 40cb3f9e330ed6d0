package cli;

import bench.MrBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/raftkv bench mr}: parses the options and runs {@link MrBench} (wc over the 8 books
 * repeated K times, sequential against 1, 2 and 4 worker processes or just {@code --workers N});
 * prints one JSON line and writes it to {@code target/bench/mr.json}.
 */
@Command(name = "mr", mixinStandardHelpOptions = true,
    description = "MapReduce wc: sequential vs 1, 2, 4 worker processes; prints one JSON line.")
public final class BenchMrCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--workers", description = "Run only this many workers (default: 1, 2 and 4).")
  Integer workers;

  @Option(names = "--copies", defaultValue = "10", description = "Repeat the 8 books this many times (default: ${DEFAULT-VALUE}).")
  int copies;

  @Option(names = "--books", defaultValue = "../shared/data/pg", description = "Directory with the pg-*.txt books (default: ${DEFAULT-VALUE}).")
  Path books;

  @Option(names = "--reduces", defaultValue = "10", description = "Reduce tasks (default: ${DEFAULT-VALUE}).")
  int reduces;

  @Option(names = "--worker-heap", description = "Maximum heap of each worker JVM, e.g. 256m (default: the JVM's default).")
  String workerHeap;

  @Option(names = "--work-jvm-option", description = "Extra JVM option for the sequential run and the workers alike (repeatable).")
  List<String> workJvmOptions = new ArrayList<>();

  @Option(names = "--lab-baseline", description = "Also time the lab's own sequential algorithm (no combiner, every pair "
      + "in one list; the baseline issue 14 was written against) and report the ratios to it too.")
  boolean labBaseline;

  @Option(names = "--no-cds", description = "Do not use class-data-sharing archives for the child JVMs.")
  boolean noCds;

  @Override
  public Integer call() throws Exception {
    MrBench.Options o = new MrBench.Options(Optional.ofNullable(workers), copies, books, reduces, !noCds,
        Optional.ofNullable(workerHeap), workJvmOptions, Path.of("target", "bench"), labBaseline);
    return MrBench.run(o, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
