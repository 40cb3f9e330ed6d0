package testkit.cluster;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * An Akka executor that knows when an ActorSystem has nothing left to do, so virtual time can be
 * advanced only once the actors have settled (see {@link ActorClock}). Every dispatcher of the
 * lab's ActorSystem runs on it: a mailbox that has messages is one submitted task, so "no task
 * queued or running on any of them" means every mailbox is empty and every actor waits for a
 * timer (which only ManualTime fires) or for the test. The tasks of the dispatchers that name the
 * same {@code idle-executor.key} share one {@link Tracker} and one thread, so the actors run one at
 * a time, in a near-deterministic order.
 */
public final class IdleExecutor extends ExecutorServiceConfigurator {
  private static final Map<String, Tracker> TRACKERS = new ConcurrentHashMap<>();

  private final Tracker tracker;

  public IdleExecutor(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.tracker = tracker(config.getString("idle-executor.key"));
  }

  /** The tracker of the dispatchers configured with this key (created on first use). */
  public static Tracker tracker(String key) {
    return TRACKERS.computeIfAbsent(key, k -> new Tracker());
  }

  /** Forgets a key once its ActorSystem has terminated. */
  public static void release(String key) {
    Tracker t = TRACKERS.remove(key);
    if (t != null) t.pool.shutdown();
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    return () -> new Counting(tracker);
  }

  /** Counts the tasks submitted and not yet finished over a group of dispatchers. */
  public static final class Tracker {
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lab-actors");
      t.setDaemon(true);
      return t;
    });
    private long busy;

    synchronized void started() {
      busy++;
    }

    synchronized void finished() {
      if (--busy == 0) notifyAll();
    }

    /** Whether no task is queued or running right now. */
    public synchronized boolean isIdle() {
      return busy == 0;
    }

    /** Blocks until no task is queued or running; fails after {@code maxMillis} of real time. */
    public synchronized void awaitIdle(long maxMillis) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
      while (busy > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("actors still busy after " + maxMillis + " ms of real time (" + busy + " tasks)");
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for the actors", e);
        }
      }
    }
  }

  /** One dispatcher's view: tasks go to the tracker's single thread, counted. */
  private static final class Counting extends AbstractExecutorService {
    private final Tracker tracker;
    private volatile boolean shutdown;

    Counting(Tracker tracker) {
      this.tracker = tracker;
    }

    @Override
    public void execute(Runnable task) {
      tracker.started();
      try {
        tracker.pool.execute(() -> {
          try {
            task.run();
          } finally {
            tracker.finished();
          }
        });
      } catch (RejectedExecutionException e) {
        tracker.finished();
        throw e;
      }
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
