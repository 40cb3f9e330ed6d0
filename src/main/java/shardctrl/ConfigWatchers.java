package shardctrl;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import wire.CborSerializable;

/**
 * The Watch calls parked at one controller replica (a child of {@link ShardCtrlServer}). A watch
 * first reads the latest configuration through the log (so a follower or a deposed leader sends
 * the watcher to the leader, and the answer is never older than what the group has committed); if
 * that is newer than the watcher's {@code afterNum} it answers at once, otherwise it waits until
 * this replica applies a newer configuration or the watch's timeout (counted from the read)
 * passes ({@link CtrlReply.Unchanged}). The replica's state machine tells it every configuration it applies.
 */
final class ConfigWatchers extends AbstractBehavior<ConfigWatchers.Command> {

  sealed interface Command extends CborSerializable {}

  /** A client's watch, as the server received it. */
  record Park(ShardCtrlServer.Watch watch) implements Command {}

  /** This replica applied (or restored) {@code config}. */
  record Applied(ShardConfig config) implements Command {}

  /** The latest configuration read through the log for watch {@code id}, or why it could not be read. */
  private record Checked(long id, CtrlReply reply) implements Command {}

  private record Expired(long id) implements Command {}

  private record Parked(long afterNum, Duration timeout, ActorRef<CtrlReply> replyTo) {}

  /** How long the read through the log may take (the replica answers Busy after 5 s itself). */
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(6);

  static Behavior<Command> create(ActorRef<ShardCtrlServer.Command> server, Duration maxWatch) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ConfigWatchers(ctx, timers, server, maxWatch)));
  }

  private final TimerScheduler<Command> timers;
  private final ActorRef<ShardCtrlServer.Command> server;
  private final Duration maxWatch;
  /** Watches waiting for their read of the latest configuration. */
  private final TreeMap<Long, Parked> checking = new TreeMap<>();
  /** Watches waiting for a newer configuration or their timeout. */
  private final TreeMap<Long, Parked> parked = new TreeMap<>();
  private ShardConfig latest;
  private long nextId;

  private ConfigWatchers(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      ActorRef<ShardCtrlServer.Command> server, Duration maxWatch) {
    super(ctx);
    this.timers = timers;
    this.server = server;
    this.maxWatch = maxWatch;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Park.class, p -> onPark(p.watch()))
        .onMessage(Checked.class, this::onChecked)
        .onMessage(Applied.class, a -> onApplied(a.config()))
        .onMessage(Expired.class, e -> onExpired(e.id()))
        .build();
  }

  private Behavior<Command> onPark(ShardCtrlServer.Watch w) {
    if (w.timeoutMillis() < 0) {
      w.replyTo().tell(new CtrlReply.Rejected("a watch timeout must be >= 0 ms, was " + w.timeoutMillis()));
      return this;
    }
    long id = nextId++;
    Duration timeout = Duration.ofMillis(Math.min(w.timeoutMillis(), maxWatch.toMillis()));
    checking.put(id, new Parked(w.afterNum(), timeout, w.replyTo()));
    // Bounded by the replica's own proposal timeout too; an unanswered read tells the client to retry elsewhere.
    getContext().ask(CtrlReply.class, server, CHECK_TIMEOUT,
        to -> new ShardCtrlServer.Execute(0, 0, CtrlCommand.Query.LATEST, to),
        (reply, failure) -> new Checked(id, reply != null ? reply : CtrlReply.TIMEOUT));
    return this;
  }

  /** The timeout starts once the read is done, so a watch of 0 ms still reads through the log. */
  private Behavior<Command> onChecked(Checked c) {
    Parked p = checking.remove(c.id());
    if (!(c.reply() instanceof CtrlReply.Config cfg)) {
      p.replyTo().tell(c.reply()); // WrongLeader, Busy, Timeout: the client retries elsewhere
      return this;
    }
    noteLatest(cfg.config());
    if (latest.num() > p.afterNum()) {
      p.replyTo().tell(new CtrlReply.Config(latest));
    } else if (p.timeout().isZero()) {
      p.replyTo().tell(new CtrlReply.Unchanged(latest.num()));
    } else {
      parked.put(c.id(), p);
      timers.startSingleTimer(c.id(), new Expired(c.id()), p.timeout());
    }
    return this;
  }

  private Behavior<Command> onApplied(ShardConfig config) {
    noteLatest(config);
    Iterator<Map.Entry<Long, Parked>> it = parked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Parked> e = it.next();
      if (latest.num() > e.getValue().afterNum()) {
        it.remove();
        timers.cancel(e.getKey());
        e.getValue().replyTo().tell(new CtrlReply.Config(latest));
      }
    }
    return this;
  }

  private Behavior<Command> onExpired(long id) {
    Parked p = parked.remove(id);
    if (p != null) p.replyTo().tell(new CtrlReply.Unchanged(latest.num()));
    return this;
  }

  private void noteLatest(ShardConfig c) {
    if (latest == null || c.num() > latest.num()) latest = c;
  }
}
