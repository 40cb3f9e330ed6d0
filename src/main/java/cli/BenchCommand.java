package cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/raftkv bench ...}: one benchmark per subcommand, each printing one JSON line. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark; prints one JSON line.",
    subcommands = {BenchColdStartCommand.class, BenchGroupsCommand.class, BenchKvCommand.class, BenchMrCommand.class, BenchRaftCommand.class, BenchShardKvCommand.class, BenchVersusEtcdCommand.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
