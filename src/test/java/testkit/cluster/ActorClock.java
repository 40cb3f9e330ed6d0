package testkit.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Virtual time for actors: ManualTime (the ActorSystem's {@link VirtualScheduler}: peers' ticks,
 * timers, ask and receive timeouts) plus the tester's own events (network deliveries, the lab's
 * processes). Time moves only in {@link #runUntil(long)}, from one deadline to the next (a timer
 * or an event, whichever comes first), and only once the actors are idle ({@link IdleExecutor}):
 * everything happens at its own virtual millisecond, and an idle stretch costs nothing.
 *
 * <p>{@link #schedule} may be called from actor threads; everything else from the thread that
 * runs the test (or a lab process it handed control to).
 */
public final class ActorClock implements VirtualClock {
  /** Real time the actors may take to settle after a step before the test fails. */
  static final long SETTLE_MILLIS = 60_000;
  /** Real time a settled ask may take to be answered. */
  private static final long REPLY_MILLIS = 30_000;

  private record Event(long time, long seq, Runnable action) {}

  private final VirtualScheduler time;
  private final IdleExecutor.Tracker idle;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private volatile long now;
  private long seq;

  public ActorClock(VirtualScheduler time, IdleExecutor.Tracker idle) {
    this.time = time;
    this.idle = idle;
  }

  @Override
  public long now() {
    return now;
  }

  @Override
  public synchronized void schedule(long delayMillis, Runnable action) {
    events.add(new Event(now + Math.max(0, delayMillis), seq++, action));
  }

  /**
   * Waits (in real time) until no actor has anything to do. That includes the JDK common pool:
   * Akka's javadsl ask answers through a CompletionStage whose plain callbacks run there (an
   * actor's {@code context.ask}, a client's {@code AskPattern.ask(...).whenComplete}), and the
   * message such a callback sends would otherwise arrive after time moved on.
   */
  public void settle() {
    while (true) {
      idle.awaitIdle(SETTLE_MILLIS);
      if (!ForkJoinPool.commonPool().awaitQuiescence(SETTLE_MILLIS, TimeUnit.MILLISECONDS))
        throw new AssertionError("the common pool still busy after " + SETTLE_MILLIS + " ms of real time");
      if (idle.isIdle()) return;
    }
  }

  /**
   * Asks {@code to} and lets the actors settle, without virtual time passing: the answer must be
   * there then. The ask's own timeout is an hour of virtual time, so it never fires meanwhile.
   */
  public <Req, T> T askSettled(ActorRef<Req> to, Function<ActorRef<T>, Req> message, Scheduler scheduler) {
    CompletableFuture<T> f = AskPattern.ask(to, message::apply, Duration.ofHours(1), scheduler).toCompletableFuture();
    settle();
    try {
      return f.get(REPLY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("no answer from " + to + " although the actors settled", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void runUntil(long until) {
    while (true) {
      settle();
      Event due = nextDue(now);
      if (due != null) {
        due.action.run();
        continue;
      }
      long timer = time.nextDeadline() - time.currentTimeMs() + now;
      if (timer <= now) {
        time.advanceTo(time.currentTimeMs()); // a timer due now (set with zero delay): run it
        continue;
      }
      if (now >= until) return;
      long next = Math.min(until, Math.min(timer, nextEventTime()));
      long target = time.currentTimeMs() + (next - now);
      now = next; // before the timers fire: the actors they wake read the new time
      time.advanceTo(target);
    }
  }

  private synchronized Event nextDue(long t) {
    Event e = events.peek();
    if (e == null || e.time > t) return null;
    return events.poll();
  }

  private synchronized long nextEventTime() {
    Event e = events.peek();
    return e == null ? Long.MAX_VALUE : e.time;
  }
}
