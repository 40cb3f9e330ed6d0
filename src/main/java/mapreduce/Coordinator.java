package mapreduce;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import wire.CborSerializable;

/**
 * The lab's coordinator as an actor: holds a {@link JobState}, hands tasks to workers that ask,
 * parks workers when nothing is idle and serves them as soon as something is, feeds timer ticks in
 * (re-issue after a timeout) and re-issues a worker's tasks at once when DeathWatch reports it gone
 * or the cluster reports its node unreachable (the coordinator then downs that node). Once the job
 * is done or failed it tells every worker and stops as soon as every worker it knows has stopped
 * (DeathWatch), or after {@code lingerAfterDone} at the latest. It keeps a {@link JobTimeline}
 * (the only clock it reads besides its timers) and hands it to the listener when it stops.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {
  /** Workers find the coordinator through the receptionist under this key. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "mapreduce-coordinator");

  public sealed interface Command extends CborSerializable {}

  /** A worker asks for a task; {@code app} must be the coordinator's app or the worker is refused. */
  public record RequestTask(String app, ActorRef<Worker.Command> replyTo) implements Command {}

  /** The task's output files are in place; the reply is the worker's next task. */
  public record ReportDone(TaskId task, ActorRef<Worker.Command> replyTo) implements Command {}

  /** The app threw; the task is retried elsewhere and fails the job after too many failures. */
  public record ReportFailed(TaskId task, String error, ActorRef<Worker.Command> replyTo) implements Command {}

  /** A worker told that the job is over is stopping; once every worker has, the coordinator stops too. */
  public record SignOff(ActorRef<Worker.Command> worker) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  private record WorkerTerminated(String worker) implements Command {}

  private record NodeUnreachable(String address) implements Command {}

  private final TimerScheduler<Command> timers;
  private final String app;
  private final MapReduceSettings settings;
  private final CoordinatorListener listener;
  private final boolean clustered;
  private final Map<String, ActorRef<Worker.Command>> workers = new HashMap<>();
  private final LinkedHashMap<String, ActorRef<Worker.Command>> waiting = new LinkedHashMap<>();
  private JobState state;
  private JobProgress lastProgress;
  private final long startedAt = System.currentTimeMillis();
  private final List<Long> joinedAt = new ArrayList<>();
  private long firstIdleInMapAt;
  private long mapsDoneAt;
  private long doneAt;
  /** Ticks in a row with the job unfinished and no worker connected. */
  private int ticksWithoutWorkers;

  public static Behavior<Command> create(JobSpec spec, MapReduceSettings settings, CoordinatorListener listener) {
    settings.validate();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Coordinator(ctx, timers, spec, settings, listener)));
  }

  private Coordinator(ActorContext<Command> ctx, TimerScheduler<Command> timers, JobSpec spec,
      MapReduceSettings settings, CoordinatorListener listener) {
    super(ctx);
    this.timers = timers;
    this.app = MapReduceApps.load(spec.app()).name();
    this.settings = settings;
    this.listener = listener;
    this.state = JobState.start(spec.files(), spec.nReduce(), settings.taskTimeoutTicks(), settings.maxTaskFailures());
    this.clustered = ctx.getSystem().settings().classicSettings().ProviderClass().contains("Cluster");
    ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tickInterval());
    if (clustered) {
      ActorRef<ClusterEvent.ReachabilityEvent> adapter = ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class,
          e -> new NodeUnreachable(e instanceof ClusterEvent.UnreachableMember ? e.member().address().toString() : ""));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.ReachabilityEvent.class));
    }
    ctx.getLog().info("coordinator for app {}: {} map tasks, {} reduce tasks, re-issue after {}", app,
        spec.files().size(), spec.nReduce(), settings.taskTimeout());
    reportProgress();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RequestTask.class, this::onRequestTask)
        .onMessage(ReportDone.class, this::onReportDone)
        .onMessage(ReportFailed.class, this::onReportFailed)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(WorkerTerminated.class, this::onWorkerTerminated)
        .onMessage(NodeUnreachable.class, this::onNodeUnreachable)
        .onMessage(SignOff.class, m -> this)
        .build();
  }

  private Behavior<Command> onRequestTask(RequestTask m) {
    if (!m.app().equals(app)) {
      String reason = "refused: worker runs app '" + m.app() + "' but the coordinator runs app '" + app + "'";
      getContext().getLog().warn("{} ({})", reason, m.replyTo().path());
      m.replyTo().tell(new Worker.Refused(reason));
      return this;
    }
    enqueue(m.replyTo());
    return afterChange();
  }

  private Behavior<Command> onReportDone(ReportDone m) {
    getContext().getLog().debug("{} done by {}", m.task().describe(), m.replyTo().path());
    state = state.updated(new JobEvent.TaskCompleted(m.task(), id(m.replyTo())));
    enqueue(m.replyTo());
    return afterChange();
  }

  private Behavior<Command> onReportFailed(ReportFailed m) {
    getContext().getLog().warn("{} failed on {}: {}", m.task().describe(), m.replyTo().path(), m.error());
    state = state.updated(new JobEvent.TaskFailed(m.task(), id(m.replyTo()), m.error()));
    enqueue(m.replyTo());
    return afterChange();
  }

  private Behavior<Command> onTick() {
    state = state.updated(JobEvent.Ticked.INSTANCE);
    warnIfNoWorkers();
    return afterChange();
  }

  private Behavior<Command> onWorkerTerminated(WorkerTerminated m) {
    lose(m.worker(), "stopped");
    return afterChange();
  }

  private Behavior<Command> onNodeUnreachable(NodeUnreachable m) {
    if (m.address().isEmpty()) {
      return this;
    }
    List<String> gone = new ArrayList<>();
    for (ActorRef<Worker.Command> w : workers.values()) {
      if (w.path().address().toString().equals(m.address())) {
        gone.add(id(w));
      }
    }
    Address address = AddressFromURIString.parse(m.address());
    if (!address.equals(Cluster.get(getContext().getSystem()).selfMember().address())) {
      getContext().getLog().info("node {} unreachable: downing it", m.address());
      Cluster.get(getContext().getSystem()).manager().tell(new Down(address));
    }
    for (String w : gone) {
      lose(w, "unreachable");
    }
    return afterChange();
  }

  private void lose(String worker, String why) {
    if (workers.remove(worker) == null) {
      return;
    }
    waiting.remove(worker);
    List<TaskId> tasks = state.tasksOf(worker);
    if (!tasks.isEmpty()) {
      getContext().getLog().info("worker {} {}: re-issuing {}", worker, why, tasks.stream().map(TaskId::describe).toList());
    }
    state = state.updated(new JobEvent.WorkerLost(worker));
  }

  /** Once per re-issue timeout without any worker: a log line and the listener, so a stalled job says why. */
  private void warnIfNoWorkers() {
    if (!workers.isEmpty() || state.isFinished()) {
      ticksWithoutWorkers = 0;
      return;
    }
    ticksWithoutWorkers++;
    if (ticksWithoutWorkers % settings.taskTimeoutTicks() == 0) {
      java.time.Duration idle = settings.tickInterval().multipliedBy(ticksWithoutWorkers);
      JobProgress p = JobProgress.of(state, 0);
      getContext().getLog().warn("no worker connected for {}: the job waits ({})", idle, p.describe());
      listener.noWorkers(p, idle);
    }
  }

  private void enqueue(ActorRef<Worker.Command> worker) {
    String id = id(worker);
    if (!workers.containsKey(id)) {
      joinedAt.add(System.currentTimeMillis());
      workers.put(id, worker);
      getContext().watchWith(worker, new WorkerTerminated(id));
    }
    waiting.put(id, worker);
  }

  /** Serves parked workers in arrival order while idle tasks last; finishes the job when it is over. */
  private Behavior<Command> afterChange() {
    if (!state.isFinished()) {
      Iterator<Map.Entry<String, ActorRef<Worker.Command>>> it = waiting.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, ActorRef<Worker.Command>> e = it.next();
        JobState.Handout h = state.handOut(e.getKey());
        if (h.assignment().isEmpty()) {
          if (firstIdleInMapAt == 0 && state.phase() == JobState.Phase.MAP) {
            firstIdleInMapAt = System.currentTimeMillis();
          }
          break;
        }
        state = h.state();
        it.remove();
        e.getValue().tell(toCommand(h.assignment().get()));
      }
    }
    if (mapsDoneAt == 0 && state.mapsDone() == state.maps().size()) {
      mapsDoneAt = System.currentTimeMillis();
    }
    reportProgress();
    return state.isFinished() ? finish() : this;
  }

  private static Worker.Command toCommand(JobState.Assignment a) {
    return a.task().kind() == TaskId.Kind.MAP
        ? new Worker.MapTask(a.task(), a.file(), a.nReduce())
        : new Worker.ReduceTask(a.task(), a.nMap());
  }

  private void reportProgress() {
    JobProgress p = JobProgress.of(state, workers.size());
    if (!p.equals(lastProgress)) {
      lastProgress = p;
      listener.progress(p);
    }
  }

  private Behavior<Command> finish() {
    doneAt = System.currentTimeMillis();
    JobProgress p = JobProgress.of(state, workers.size());
    Optional<String> failure = state.failure();
    if (failure.isPresent()) {
      getContext().getLog().error("job failed: {}", failure.get());
    } else {
      getContext().getLog().info("job done: {}", p.describe());
    }
    Worker.JobFinished done = new Worker.JobFinished(failure.isEmpty(), failure.orElse("job done"));
    for (ActorRef<Worker.Command> w : workers.values()) {
      w.tell(done);
    }
    listener.finished(p);
    timers.cancel(Tick.INSTANCE);
    timers.startSingleTimer(Stop.INSTANCE, settings.lingerAfterDone());
    java.util.Set<String> running = new java.util.HashSet<>(workers.keySet());
    if (running.isEmpty()) {
      return stop();
    }
    return Behaviors.receive(Command.class)
        .onMessage(RequestTask.class, m -> replyFinished(m.replyTo(), done))
        .onMessage(ReportDone.class, m -> replyFinished(m.replyTo(), done))
        .onMessage(ReportFailed.class, m -> replyFinished(m.replyTo(), done))
        .onMessage(SignOff.class, m -> running.remove(id(m.worker())) && running.isEmpty() ? stop() : Behaviors.same())
        .onMessage(WorkerTerminated.class, m -> running.remove(m.worker()) && running.isEmpty() ? stop() : Behaviors.same())
        .onMessageEquals(Stop.INSTANCE, this::stop)
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> stop() {
    JobTimeline t = new JobTimeline(startedAt, joinedAt, firstIdleInMapAt, mapsDoneAt, doneAt, System.currentTimeMillis());
    getContext().getLog().info("{}", t.describe());
    listener.stopped(t);
    return Behaviors.stopped();
  }

  private static Behavior<Command> replyFinished(ActorRef<Worker.Command> worker, Worker.JobFinished done) {
    worker.tell(done);
    return Behaviors.same();
  }

  private static String id(ActorRef<?> ref) {
    return ref.path().toString();
  }
}
