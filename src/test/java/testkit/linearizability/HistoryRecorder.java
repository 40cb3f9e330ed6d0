package testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Thread-safe history log for client threads (the lab's {@code OpLog}). Times come from
 * {@link System#nanoTime()} relative to the recorder's creation, a monotonic clock.
 *
 * <pre>{@code
 * HistoryRecorder<KvInput, KvOutput>.Call c = recorder.call(cli, new KvInput.Get(key));
 * String v = clerk.get(key);
 * c.returned(KvOutput.value(v));     // a call that never returns stays pending in history()
 * }</pre>
 */
public final class HistoryRecorder<I, O> {
  private final long origin = System.nanoTime();
  private final ConcurrentLinkedQueue<Operation<I, O>> done = new ConcurrentLinkedQueue<>();
  private final Set<Call> open = ConcurrentHashMap.newKeySet();

  /** Nanoseconds since this recorder was created (monotonic). */
  public long now() {
    return System.nanoTime() - origin;
  }

  /** Records a call now; the operation is pending until {@link Call#returned}. */
  public Call call(int clientId, I input) {
    Call c = new Call(clientId, input, now());
    open.add(c);
    return c;
  }

  /**
   * Runs {@code action} as one operation of {@code clientId}. If it throws, the operation stays
   * pending (its effect is unknown) and the exception propagates.
   */
  public O record(int clientId, I input, Supplier<O> action) {
    Call c = call(clientId, input);
    O out = action.get();
    c.returned(out);
    return out;
  }

  /** Adds a completed operation with times taken from {@link #now()} by the caller. */
  public void add(Operation<I, O> op) {
    done.add(op);
  }

  /** Completed operations plus every call that has not returned (as pending operations). */
  public List<Operation<I, O>> history() {
    List<Operation<I, O>> h = new ArrayList<>(done);
    for (Call c : open) {
      h.add(Operation.pending(c.clientId, c.input, c.call));
    }
    return h;
  }

  public int size() {
    return done.size() + open.size();
  }

  /** An operation in flight. */
  public final class Call {
    private final int clientId;
    private final I input;
    private final long call;

    private Call(int clientId, I input, long call) {
      this.clientId = clientId;
      this.input = input;
      this.call = call;
    }

    public void returned(O output) {
      long ret = now();
      if (!open.remove(this)) {
        throw new IllegalStateException("operation returned twice: " + input);
      }
      done.add(Operation.completed(clientId, input, output, call, ret));
    }
  }
}
