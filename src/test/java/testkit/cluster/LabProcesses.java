package testkit.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The lab's goroutines as cooperative processes over a {@link VirtualClock}. Each
 * process runs on its own thread, but only one thread (the test's or one process) runs at any
 * moment, and control passes only inside {@link #sleep(long)} or {@link #await(Promise)}, at a
 * scheduled virtual time, so a seed still replays everything. The test thread drives the event
 * loop; a process parks and is resumed by an event.
 *
 * <p>Shared by the Raft testers ({@link LabRaft}) and the kvraft tester ({@link LabKvCluster}).
 */
public final class LabProcesses implements AutoCloseable {
  private final VirtualClock clock;
  private final long limitMillis;
  private final Supplier<String> testerError;
  private volatile Throwable procFailure;
  private final List<Proc> procs = new ArrayList<>();
  private final ThreadLocal<Proc> currentProc = new ThreadLocal<>();
  private final Semaphore control = new Semaphore(0);
  private volatile boolean closed;

  /**
   * @param limitMillis the lab's per-test limit, in virtual milliseconds
   * @param testerError a failure the tester detected outside any process (null if none)
   */
  public LabProcesses(VirtualClock clock, long limitMillis, Supplier<String> testerError) {
    this.clock = clock;
    this.limitMillis = limitMillis;
    this.testerError = testerError;
  }

  /** A cooperative process: the lab's goroutine. */
  public static final class Proc {
    private final Semaphore run = new Semaphore(0);
    private volatile boolean done;

    public boolean done() {
      return done;
    }
  }

  /** A one-shot result a process (or the test thread) can {@link #await}; completed by an event. */
  public final class Promise<T> {
    private T value;
    private boolean completed;
    private Proc waiter;

    /** Completes it (later calls are ignored) and wakes the waiting process at the current virtual time. */
    public void complete(T v) {
      if (completed) return;
      completed = true;
      value = v;
      Proc w = waiter;
      if (w != null) clock.schedule(0, () -> resume(w));
    }

    public boolean isCompleted() {
      return completed;
    }
  }

  public <T> Promise<T> promise() {
    return new Promise<>();
  }

  /** Thrown inside a process when the tester is closed under it. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("process stopped", null, false, false);
    }
  }

  public boolean closed() {
    return closed;
  }

  /** Throws {@link Stopped} if closed (for loops that must end when the test does). */
  public void checkOpen() {
    if (closed) throw new Stopped();
  }

  /** Advances virtual time by ms (in a process: yields until then). */
  public void sleep(long ms) {
    Proc p = currentProc.get();
    if (p != null) {
      clock.schedule(ms, () -> resume(p));
      park(p);
      return;
    }
    checkFailure();
    clock.runUntil(clock.now() + ms);
    checkFailure();
    checkTimeout();
  }

  /** Waits in virtual time until {@code promise} is completed, and returns its value. */
  public <T> T await(Promise<T> promise) {
    Proc p = currentProc.get();
    if (p == null) {
      while (!promise.completed) sleep(1);
    } else if (!promise.completed) {
      promise.waiter = p;
      park(p);
    }
    return promise.value;
  }

  private void park(Proc p) {
    control.release();
    p.run.acquireUninterruptibly();
    if (closed) throw new Stopped();
  }

  public void checkTimeout() {
    if (clock.now() > limitMillis)
      throw new AssertionError("test took longer than " + limitMillis / 1000 + " seconds (virtual)");
  }

  public void checkFailure() {
    if (procFailure != null) throw new AssertionError("a client process failed: " + procFailure, procFailure);
    String err = testerError.get();
    if (err != null) throw new AssertionError(err);
  }

  /** Starts {@code body} as a process; it first runs at the current virtual time. */
  public Proc go(String name, Runnable body) {
    Proc p = new Proc();
    Thread t = new Thread(() -> {
      currentProc.set(p);
      p.run.acquireUninterruptibly();
      try {
        if (!closed) body.run();
      } catch (Stopped s) {
        // the tester was closed under us
      } catch (Throwable e) {
        if (procFailure == null) procFailure = e;
      } finally {
        p.done = true;
        control.release();
      }
    }, "lab-" + name);
    t.setDaemon(true);
    t.start();
    procs.add(p);
    clock.schedule(0, () -> resume(p));
    return p;
  }

  private void resume(Proc p) {
    if (p.done) return;
    p.run.release();
    control.acquireUninterruptibly();
  }

  /** Sleeps in virtual time until every given process has returned. */
  public void join(List<Proc> ps) {
    while (ps.stream().anyMatch(p -> !p.done)) sleep(1);
  }

  /** Stops every process still parked (each gets {@link Stopped} at its yield point). */
  @Override
  public void close() {
    if (currentProc.get() != null) return;
    closed = true;
    for (Proc p : procs) {
      if (!p.done) {
        p.run.release();
        control.acquireUninterruptibly();
      }
    }
  }
}
