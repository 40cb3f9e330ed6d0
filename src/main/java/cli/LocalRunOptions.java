package cli;

import bench.ResultFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options the benchmarks that start {@code raftkv local} as a child and drive it with outside
 * tools share (a picocli mixin): workload seed, start timeout, where to also write the JSON line,
 * and the PATH the tools are looked up on.
 */
final class LocalRunOptions {
  @Option(names = "--seed", description = "workload seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--start-timeout", description = "seconds a started process may take to be ready (default ${DEFAULT-VALUE})")
  int startTimeout = 120;

  @Option(names = "--out", description = "also write the JSON line to this file")
  Path out;

  /** Where the tools are looked for (tests point it elsewhere). */
  String path = System.getenv("PATH");

  /** Prints the JSON line and writes it to {@code --out} if given. */
  void emit(String json) throws IOException {
    System.out.println(json);
    if (out != null) ResultFile.write(out, json);
  }
}
