package cli;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import mapreduce.BadJobException;
import mapreduce.Coordinator;
import mapreduce.CoordinatorListener;
import mapreduce.JobProgress;
import mapreduce.JobSpec;
import mapreduce.JobTimeline;
import mapreduce.LabSequential;
import mapreduce.MapReduceApp;
import mapreduce.MapReduceApps;
import mapreduce.MapReduceSettings;
import mapreduce.ProcessCpu;
import mapreduce.Sequential;
import mapreduce.Worker;
import mapreduce.WorkerExit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/raftkv mr ...}: the lab's mrcoordinator, mrworker and mrsequential. Every process
 * works in its current directory (inputs relative to it, {@code mr-X-Y} and {@code mr-out-Y} written
 * there); coordinator and workers form an Akka cluster with the coordinator as seed node.
 */
@Command(name = "mr", mixinStandardHelpOptions = true, description = "MapReduce (lab 1): coordinator, worker, sequential.",
    subcommands = {MrCommand.CoordinatorCommand.class, MrCommand.WorkerCommand.class, MrCommand.SequentialCommand.class})
public final class MrCommand implements Runnable {
  /** Exit code for bad input found before anything starts. */
  static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The cluster config of a MapReduce process: mapreduce.conf plus host, port and the seed node. */
  static Config clusterConfig(String host, int port, String seedHostPort) {
    String seed = "akka://" + SYSTEM_NAME + "@" + seedHostPort;
    Config base = ConfigFactory.load(ConfigFactory.parseResources("mapreduce.conf")
        .withFallback(ConfigFactory.defaultApplication()));
    return ConfigFactory.parseString(
        "akka.remote.artery.canonical.hostname = \"" + host + "\"\n"
            + "akka.remote.artery.canonical.port = " + port + "\n"
            + "akka.cluster.seed-nodes = [\"" + seed + "\"]\n")
        .withFallback(base);
  }

  static final String SYSTEM_NAME = "mapreduce";

  /**
   * The coordinator stops once every worker has signed off (or after the linger), so the job is over
   * and nobody needs it in the cluster: it skips the graceful leave, which waits for the departing
   * workers' nodes, and waits at most 100 ms (not 1 s) for the workers' systems, already gone, to
   * acknowledge remoting's final flush.
   */
  static final Config COORDINATOR_EXIT = ConfigFactory.parseString(
      "akka.remote.artery.advanced.shutdown-flush-timeout = 100ms\n"
          + "akka.coordinated-shutdown.phases.cluster-leave.enabled = off\n"
          + "akka.coordinated-shutdown.phases.cluster-exiting.enabled = off\n"
          + "akka.coordinated-shutdown.phases.cluster-exiting-done.enabled = off\n");

  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    }
    return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
  }

  @Command(name = "coordinator", mixinStandardHelpOptions = true,
      description = "Run the coordinator (cluster seed node) for one job; exits when the job is done.")
  static final class CoordinatorCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--app", required = true, description = "App name (wc, indexer, ...) or class name.")
    String app;

    @Option(names = "--reduces", defaultValue = "10", description = "Number of reduce tasks (default: ${DEFAULT-VALUE}).")
    int reduces;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address workers reach this process at.")
    String host;

    @Option(names = "--port", defaultValue = "2551", description = "Port workers join (default: ${DEFAULT-VALUE}).")
    int port;

    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Input files, one map task each.")
    List<String> files;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      JobSpec job = new JobSpec(app, files, reduces);
      try {
        job.validate(Path.of(""));
      } catch (BadJobException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return BAD_INPUT;
      }
      long start = System.nanoTime();
      AtomicReference<JobProgress> result = new AtomicReference<>();
      AtomicReference<JobTimeline> timeline = new AtomicReference<>();
      CoordinatorListener listener = new CoordinatorListener() {
        @Override
        public void progress(JobProgress p) {
          out.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, p.describe());
          out.flush();
        }

        @Override
        public void finished(JobProgress p) {
          result.set(p);
        }

        @Override
        public void noWorkers(JobProgress p, Duration idle) {
          out.printf(Locale.ROOT, "[%6.1fs] no worker connected for %d s; waiting for one (bin/raftkv mr worker "
              + "--app %s --coordinator %s:%d): %s%n", (System.nanoTime() - start) / 1e9, idle.toSeconds(), app, host, port,
              p.describe());
          out.flush();
        }

        @Override
        public void stopped(JobTimeline t) {
          timeline.set(t);
        }
      };
      ActorSystem<Coordinator.Command> system = ActorSystem.create(
          Coordinator.create(job, MapReduceSettings.defaults(), listener), SYSTEM_NAME,
          COORDINATOR_EXIT.withFallback(clusterConfig(host, port, host + ":" + port)));
      system.getWhenTerminated().toCompletableFuture().join();
      double secs = (System.nanoTime() - start) / 1e9;
      JobProgress p = result.get();
      if (p == null) {
        err.println("error: coordinator stopped before the job finished");
        err.flush();
        return 1;
      }
      if (p.failure().isPresent()) {
        out.printf(Locale.ROOT, "job FAILED after %.1f s: %s%n", secs, p.failure().get());
        out.flush();
        err.println("error: job failed: " + p.failure().get());
        err.flush();
        return 1;
      }
      JobTimeline t = timeline.get();
      double taskSecs = t == null || t.firstJoinAt() == 0 ? secs : (t.doneAt() - t.firstJoinAt()) / 1000.0;
      out.printf(Locale.ROOT, "job done in %.1f s (%.2f s from the first worker joining to the last output): app %s, "
              + "%d maps, %d reduces, %d tasks re-issued, %d duplicate completions; outputs mr-out-0 .. mr-out-%d%n",
          secs, taskSecs, app, p.maps(), p.reduces(), p.reissued(), p.duplicateCompletions(), p.reduces() - 1);
      if (t != null) {
        out.println(t.describe());
      }
      out.println("coordinator " + ProcessCpu.summary());
      out.flush();
      return 0;
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      description = "Run a worker: join the coordinator's cluster, run tasks until the job is over.")
  static final class WorkerCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--app", required = true, description = "App name (wc, indexer, ...) or class name; must match the coordinator's.")
    String app;

    @Option(names = "--coordinator", required = true, description = "HOST:PORT of the coordinator.")
    String coordinator;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address the coordinator reaches this worker at.")
    String host;

    @Option(names = "--port", defaultValue = "0", description = "Port of this worker (default: any free port).")
    int port;

    @Option(names = "--join-timeout", defaultValue = "15s", description = "Exit if no coordinator is found within this time (default: ${DEFAULT-VALUE}).")
    String joinTimeout;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      MapReduceApp loaded;
      try {
        loaded = MapReduceApps.load(app);
        if (!coordinator.matches("[^:]+:\\d+")) {
          throw new BadJobException("--coordinator must be HOST:PORT, got '" + coordinator + "'");
        }
      } catch (BadJobException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return BAD_INPUT;
      }
      MapReduceSettings settings;
      try {
        settings = MapReduceSettings.defaults().withJoinTimeout(parseDuration(joinTimeout));
      } catch (NumberFormatException e) {
        err.println("error: --join-timeout must look like 15s or 500ms, got '" + joinTimeout + "'");
        err.flush();
        return BAD_INPUT;
      }
      AtomicReference<WorkerExit> exit = new AtomicReference<>(WorkerExit.COORDINATOR_LOST);
      ActorSystem<Worker.Command> system = ActorSystem.create(
          Worker.create(loaded, Path.of(""), settings, exit::set), SYSTEM_NAME, clusterConfig(host, port, coordinator));
      system.getWhenTerminated().toCompletableFuture().join();
      err.println("worker exit: " + exit.get());
      err.flush();
      if (exit.get() == WorkerExit.REFUSED) {
        err.println("error: the coordinator refused this worker: its app is not '" + loaded.name() + "'");
        err.flush();
      }
      return exit.get().exitCode();
    }
  }

  @Command(name = "sequential", mixinStandardHelpOptions = true,
      description = "The lab's mrsequential: run the app in this process and write one output file.")
  static final class SequentialCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--app", required = true, description = "App name or class name.")
    String app;

    @Option(names = "--out", defaultValue = "mr-out-0", description = "Output file (default: ${DEFAULT-VALUE}).")
    Path outFile;

    @Option(names = "--lab", description = "The lab's algorithm as it is: every pair in one list, sorted, no combiner "
        + "(default: the efficient single process, with the app's combiner).")
    boolean lab;

    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Input files.")
    List<String> files;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      try {
        new JobSpec(app, files, 1).validate(Path.of(""));
      } catch (BadJobException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return BAD_INPUT;
      }
      long start = System.nanoTime();
      if (lab) {
        LabSequential.run(MapReduceApps.load(app), files, Path.of(""), outFile);
      } else {
        Sequential.run(MapReduceApps.load(app), files, Path.of(""), outFile);
      }
      spec.commandLine().getOut().printf(Locale.ROOT, "sequential %s over %d files in %.2f s -> %s (%s)%n",
          app, files.size(), (System.nanoTime() - start) / 1e9, outFile, ProcessCpu.summary());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
