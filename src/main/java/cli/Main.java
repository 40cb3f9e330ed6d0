package cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/raftkv}: dispatches to one subcommand per job. */
@Command(
    name = "raftkv",
    mixinStandardHelpOptions = true,
    version = "raftkv 0.1.0",
    description = "Raft, replicated KV and MapReduce on Akka typed actors.",
    subcommands = {LocalCommand.class, NodeCommand.class, KvCli.class, BenchCommand.class, MrCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
