package cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/raftkv}: dispatches to one subcommand per job. */
@Command(
    name = "raftkv",
    mixinStandardHelpOptions = true,
    version = "raftkv 0.1.0",
    description = "Raft, replicated KV and MapReduce on Akka typed actors.",
    subcommands = {LocalCommand.class, NodeCommand.class, KvCli.class, AdminCommand.class, BenchCommand.class, MrCommand.class})
public final class Main implements Runnable {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    // Akka's Java ask returns Scala's CompletableFuture wrapper, which runs every callback "async" on
    // the common pool; with 2 cores that pool has parallelism 1 and the JDK then starts a new
    // thread per callback (ThreadPerTaskExecutor): thousands of threads per second under load.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) System.setProperty(COMMON_POOL_PARALLELISM, "4");
    // Initialise logging before any ActorSystem starts, so SLF4J need not replay early calls.
    org.slf4j.LoggerFactory.getILoggerFactory();
    System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(Main::explain).execute(args));
  }

  /**
   * Bad settings or input (IllegalArgumentException, exit 2) and a start that cannot succeed
   * (IllegalStateException, exit 1) are explained in one line; anything else is a bug: stack trace.
   */
  private static int explain(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      cmd.getErr().println("raftkv " + cmd.getCommandName() + ": " + e.getMessage());
      return e instanceof IllegalArgumentException ? 2 : 1;
    }
    throw e;
  }
}
