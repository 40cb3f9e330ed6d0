package mapreduce;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
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
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import wire.CborSerializable;

/**
 * The lab's worker as an actor: finds the coordinator through the receptionist, asks for a task,
 * runs it on the blocking dispatcher (one at a time), reports it done or failed and gets the next
 * task in reply. It stops when the coordinator says the job is over, refuses it, stops, or stays
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

  private record TaskFinished(TaskId task, String error) implements Command {}

  private record CoordinatorReachability(String address, boolean reachable) implements Command {}

  private enum JoinTimedOut implements Command { INSTANCE }

  private enum CoordinatorLost implements Command { INSTANCE }

  private final TimerScheduler<Command> timers;
  private final MapReduceApp app;
  private final TaskRunner runner;
  private final MapReduceSettings settings;
  private final Consumer<WorkerExit> onExit;
  private final Executor blocking;
  private final boolean clustered;
  private ActorRef<Coordinator.Command> coordinator;
  private boolean busy;

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
    this.settings = settings;
    this.onExit = onExit;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
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
    coordinator.tell(new Coordinator.RequestTask(app.name(), getContext().getSelf()));
    return this;
  }

  private Behavior<Command> onMapTask(MapTask m) {
    return run(m.task(), m.file(), () -> {
      runner.runMap(m.task(), m.file(), m.nReduce());
      return null;
    });
  }

  private Behavior<Command> onReduceTask(ReduceTask m) {
    return run(m.task(), "", () -> {
      runner.runReduce(m.task(), m.nMap());
      return null;
    });
  }

  private interface Work {
    Void call() throws Exception;
  }

  private Behavior<Command> run(TaskId task, String file, Work work) {
    if (busy) {
      getContext().getLog().warn("got {} while busy; ignoring it (the coordinator re-issues it)", task.describe());
      return this;
    }
    busy = true;
    getContext().getLog().debug("running {} {}", task.describe(), file);
    CompletableFuture<Void> f = CompletableFuture.supplyAsync(() -> {
      try {
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, blocking);
    getContext().pipeToSelf(f, (ok, err) -> new TaskFinished(task, err == null ? "" : describe(err)));
    return this;
  }

  private static String describe(Throwable err) {
    Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    StackTraceElement[] trace = t.getStackTrace();
    return t + (trace.length > 0 ? " at " + trace[0] : "");
  }

  private Behavior<Command> onTaskFinished(TaskFinished m) {
    busy = false;
    if (m.error().isEmpty()) {
      coordinator.tell(new Coordinator.ReportDone(m.task(), getContext().getSelf()));
    } else {
      getContext().getLog().warn("{} failed: {}", m.task().describe(), m.error());
      coordinator.tell(new Coordinator.ReportFailed(m.task(), m.error(), getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onJobFinished(JobFinished m) {
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
    onExit.accept(why);
    return Behaviors.stopped();
  }
}
