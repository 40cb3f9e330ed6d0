package testkit.cluster;

import akka.event.LoggingAdapter;
import akka.testkit.ExplicitlyTriggeredScheduler;
import com.typesafe.config.Config;
import java.lang.reflect.Field;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import scala.concurrent.duration.FiniteDuration;

/**
 * ManualTime's scheduler ({@link ExplicitlyTriggeredScheduler}, so {@code ManualTime.get} still
 * works) for long scenarios: {@link ExplicitlyTriggeredScheduler#timePasses} sleeps 100 ms of
 * real time on every call ("give dispatchers time to clear"), which makes 120 s of virtual time
 * in small steps take hours. {@link ActorClock} knows when the actors are idle instead, and moves
 * this clock straight to the next deadline with {@link #advanceTo(long)}.
 */
public final class VirtualScheduler extends ExplicitlyTriggeredScheduler {
  private static final Field CURRENT_TIME;

  static {
    try {
      CURRENT_TIME = ExplicitlyTriggeredScheduler.class.getDeclaredField("currentTime");
      CURRENT_TIME.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public VirtualScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    super(config, log, threadFactory);
  }

  private AtomicLong clock() {
    try {
      return (AtomicLong) CURRENT_TIME.get(this);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The earliest deadline of a scheduled task, or Long.MAX_VALUE if none. */
  public long nextDeadline() {
    long min = Long.MAX_VALUE;
    for (Object t : akka$testkit$ExplicitlyTriggeredScheduler$$scheduled().values()) min = Math.min(min, (Long) t);
    return min;
  }

  /** Sets the clock to {@code millis} (never backwards) and runs, on this thread, every task due by then. */
  public void advanceTo(long millis) {
    AtomicLong clock = clock();
    if (millis > clock.get()) clock.set(millis);
    executeTasks(clock.get());
  }

  /** As ManualTime's, without the 100 ms sleep. */
  @Override
  public void timePasses(FiniteDuration amount) {
    advanceTo(currentTimeMs() + amount.toMillis());
  }
}
