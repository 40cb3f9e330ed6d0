package mapreduce;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import wire.CborSerializable;

/**
 * The lab's worker as an actor: finds the coordinator through the receptionist, asks for a task,
 * runs it on its own task thread (one at a time, never on the actor's thread), reports it done
 * or failed and gets the next task in reply. Once its tasks are short (see
 * {@link MapReduceSettings#prefetchBelow()}) it asks for one more as it starts a task and keeps it
 * queued, so the next task starts the moment the last one ends instead of a round trip later. It stops when the coordinator says the job is over, refuses it, stops, or stays
 * unreachable, and when no coordinator shows up within the join timeout.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {
  public sealed interface Command extends CborSerializable {}

  /** Run map task {@code task} over {@code file}, writing {@code nReduce} intermediate files. */
  public record MapTask(TaskId task, String file, int nReduce) implements Command {}

  /** Run reduce task {@code task} over the intermediate files of {@code nMap} map tasks. */
  public record ReduceTask(TaskId task, int nMap) implements Command {}

  /** The job is over; {@code message} says how. */
  public record JobFinished(boolean succeeded, String message) implements Command {}

  /** The coordinator will not work with this worker (a different app). */
  public record Refused(String reason) implements Command {}

  private record CoordinatorsListed(Set<ActorRef<Coordinator.Command>> coordinators) implements Command {}

  private record TaskFinished(TaskId task, TaskStats stats, long nanos, String error) implements Command {}

  private record CoordinatorReachability(String address, boolean reachable) implements Command {}

  private enum JoinTimedOut implements Command { INSTANCE }

  private enum CoordinatorLost implements Command { INSTANCE }

  private final TimerScheduler<Command> timers;
  private final MapReduceApp app;
  private final TaskRunner runner;
  private final Path dir;
  private final MapReduceSettings settings;
  private final Consumer<WorkerExit> onExit;
  /** One thread for the tasks, which run one at a time: the same thread (and its caches) for every task. */
  private final ExecutorService tasks;
  private final boolean clustered;
  private ActorRef<Coordinator.Command> coordinator;
  private boolean busy;
  private Command queued;
  private boolean prefetching;
  private long lastTaskNanos = Long.MAX_VALUE;
  private TaskStats totals = TaskStats.NONE;
  private int maps;
  private int reduces;
  private long waitingSince;
  private long waitedNanos;

  /**
   * @param app the app this worker runs; the coordinator refuses a worker whose app name differs
   * @param dir the directory holding input, intermediate and output files (the lab's working directory)
   * @param onExit told once why the worker stopped, just before it stops
   */
  public static Behavior<Command> create(MapReduceApp app, Path dir, MapReduceSettings settings, Consumer<WorkerExit> onExit) {
    settings.validate();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Worker(ctx, timers, app, dir, settings, onExit)));
  }

  private Worker(ActorContext<Command> ctx, TimerScheduler<Command> timers, MapReduceApp app, Path dir,
      MapReduceSettings settings, Consumer<WorkerExit> onExit) {
    super(ctx);
    this.timers = timers;
    this.app = app;
    this.runner = new TaskRunner(app, dir);
    this.dir = dir;
    this.settings = settings;
    this.onExit = onExit;
    this.tasks = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mapreduce-task");
      t.setDaemon(true);
      return t;
    });
    this.clustered = ctx.getSystem().settings().classicSettings().ProviderClass().contains("Cluster");
    ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
        l -> new CoordinatorsListed(l.getServiceInstances(Coordinator.KEY)));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(Coordinator.KEY, listings));
    timers.startSingleTimer(JoinTimedOut.INSTANCE, settings.joinTimeout());
    ctx.getLog().info("worker for app {} in {}: looking for the coordinator", app.name(), dir.toAbsolutePath());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(CoordinatorsListed.class, this::onListed)
        .onMessage(MapTask.class, this::onMapTask)
        .onMessage(ReduceTask.class, this::onReduceTask)
        .onMessage(TaskFinished.class, this::onTaskFinished)
        .onMessage(JobFinished.class, this::onJobFinished)
        .onMessage(Refused.class, this::onRefused)
        .onMessage(CoordinatorReachability.class, this::onReachability)
        .onMessageEquals(JoinTimedOut.INSTANCE, () -> exit(WorkerExit.NO_COORDINATOR,
            "no coordinator found within " + settings.joinTimeout() + "; exiting"))
        .onMessageEquals(CoordinatorLost.INSTANCE, () -> exit(WorkerExit.COORDINATOR_LOST, "coordinator gone; exiting"))
        .onSignal(PostStop.class, s -> {
          tasks.shutdownNow();
          return this;
        })
        .build();
  }

  private Behavior<Command> onListed(CoordinatorsListed m) {
    if (coordinator != null || m.coordinators().isEmpty()) {
      return this;
    }
    coordinator = m.coordinators().iterator().next();
    timers.cancel(JoinTimedOut.INSTANCE);
    getContext().watchWith(coordinator, CoordinatorLost.INSTANCE);
    if (clustered) {
      String address = coordinator.path().address().toString();
      ActorRef<ClusterEvent.ReachabilityEvent> adapter = getContext().messageAdapter(ClusterEvent.ReachabilityEvent.class,
          e -> new CoordinatorReachability(e.member().address().toString(), e instanceof ClusterEvent.ReachableMember));
      Cluster.get(getContext().getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.ReachabilityEvent.class));
      getContext().getLog().info("found coordinator at {}", address);
    }
    waitingSince = System.nanoTime();
    coordinator.tell(new Coordinator.RequestTask(app.name(), getContext().getSelf()));
    return this;
  }

  private static final long MB = 1024 * 1024;

  private Behavior<Command> onMapTask(MapTask m) {
    if (busy) {
      return queue(m, m.task());
    }
    return run(m.task(), () -> "map " + m.task().index() + " on " + m.file() + inputSize(m.file()),
        () -> runner.runMap(m.task(), m.file(), m.nReduce()));
  }

  private Behavior<Command> onReduceTask(ReduceTask m) {
    if (busy) {
      return queue(m, m.task());
    }
    return run(m.task(), () -> "reduce " + m.task().index() + " over " + m.nMap() + " map outputs",
        () -> runner.runReduce(m.task(), m.nMap()));
  }

  /** A task that arrives while one runs (the one asked for early) waits for it; a third is ignored. */
  private Behavior<Command> queue(Command m, TaskId task) {
    if (queued == null) {
      queued = m;
    } else {
      getContext().getLog().warn("got {} while busy with one queued; ignoring it (the coordinator re-issues it)", task.describe());
    }
    return this;
  }

  private String inputSize(String file) {
    try {
      return String.format(java.util.Locale.ROOT, " (%.1f MB)", java.nio.file.Files.size(dir.resolve(file)) / (double) MB);
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  private interface Work {
    TaskStats call() throws Exception;
  }

  /**
   * Runs the task on the task thread, never on the actor's thread. An {@link OutOfMemoryError}
   * in the task (a heap too small for the input) fails the task with a message saying so, like any
   * other exception from the app; the task's garbage is unreachable once it has unwound.
   */
  private Behavior<Command> run(TaskId task, java.util.function.Supplier<String> what, Work work) {
    busy = true;
    if (!prefetching && lastTaskNanos < settings.prefetchBelow().toNanos()) {
      prefetching = true;
      getContext().getLog().debug("tasks are short: asking for the next one while running one");
      coordinator.tell(new Coordinator.RequestTask(app.name(), getContext().getSelf()));
    }
    long started = System.nanoTime();
    if (waitingSince != 0) {
      waitedNanos += System.nanoTime() - waitingSince;
      waitingSince = 0;
    }
    getContext().getLog().debug("running {}", task.describe());
    CompletableFuture<TaskStats> f = CompletableFuture.supplyAsync(() -> {
      try {
        return work.call();
      } catch (OutOfMemoryError e) {
        throw new IllegalStateException(outOfMemory(what.get(), e));
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, tasks);
    getContext().pipeToSelf(f, (stats, err) -> err == null
        ? new TaskFinished(task, stats, System.nanoTime() - started, "")
        : new TaskFinished(task, TaskStats.NONE, System.nanoTime() - started, describe(err)));
    return this;
  }

  static String outOfMemory(String what, OutOfMemoryError e) {
    return "worker out of memory running " + what + " with a maximum heap of "
        + Runtime.getRuntime().maxMemory() / MB + " MB (" + e.getMessage() + "); give the worker more heap (-Xmx)";
  }

  private static String describe(Throwable err) {
    Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    StackTraceElement[] trace = t.getStackTrace();
    return t + (trace.length > 0 ? " at " + trace[0] : "");
  }

  private Behavior<Command> onTaskFinished(TaskFinished m) {
    busy = false;
    lastTaskNanos = m.nanos();
    waitingSince = System.nanoTime();
    if (m.error().isEmpty()) {
      totals = totals.plus(m.stats());
      if (m.task().kind() == TaskId.Kind.MAP) {
        maps++;
      } else {
        reduces++;
      }
      coordinator.tell(new Coordinator.ReportDone(m.task(), getContext().getSelf()));
    } else {
      getContext().getLog().warn("{} failed: {}", m.task().describe(), m.error());
      coordinator.tell(new Coordinator.ReportFailed(m.task(), m.error(), getContext().getSelf()));
    }
    if (queued != null) {
      Command next = queued;
      queued = null;
      return next instanceof MapTask mt ? onMapTask(mt) : onReduceTask((ReduceTask) next);
    }
    return this;
  }

  private Behavior<Command> onJobFinished(JobFinished m) {
    coordinator.tell(new Coordinator.SignOff(getContext().getSelf()));
    return exit(m.succeeded() ? WorkerExit.JOB_DONE : WorkerExit.JOB_FAILED, m.message());
  }

  private Behavior<Command> onRefused(Refused m) {
    getContext().getLog().error(m.reason());
    return exit(WorkerExit.REFUSED, m.reason());
  }

  private Behavior<Command> onReachability(CoordinatorReachability m) {
    if (coordinator == null || !m.address().equals(coordinator.path().address().toString())) {
      return this;
    }
    if (m.reachable()) {
      timers.cancel(CoordinatorLost.INSTANCE);
    } else {
      getContext().getLog().warn("coordinator unreachable; exiting unless it is back within {}", settings.coordinatorLostAfter());
      timers.startSingleTimer(CoordinatorLost.INSTANCE, settings.coordinatorLostAfter());
    }
    return this;
  }

  private Behavior<Command> exit(WorkerExit why, String message) {
    getContext().getLog().info("worker exiting ({}): {}", why, message);
    getContext().getLog().info("worker totals: {} maps, {} reduces, input {} B, intermediate written {} B read {} B, "
            + "output {} B, extra merge passes {}, busy {} ms, waiting for a task {} ms, {}", maps, reduces,
        totals.inputBytes(), totals.intermediateWritten(), totals.intermediateRead(), totals.outputBytes(),
        totals.extraMergePasses(), totals.millis(), waitedNanos / 1_000_000, ProcessCpu.summary());
    onExit.accept(why);
    return Behaviors.stopped();
  }
}
