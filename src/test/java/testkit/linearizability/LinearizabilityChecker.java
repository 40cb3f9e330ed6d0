package testkit.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import testkit.linearizability.CheckResult.Outcome;
import testkit.linearizability.CheckResult.PartitionReport;

/**
 * Decides whether a history is linearizable with respect to a {@link Model}: Porcupine's checker
 * (Wing &amp; Gong's search with Lowe's memoization of (linearized set, state)), run per partition.
 *
 * <p>Unlike Porcupine in the lab tests, running out of budget is never a pass: the result is
 * {@link Outcome#UNKNOWN}, which {@link Linearizability#assertLinearizable} reports as a failure.
 */
public final class LinearizabilityChecker {

  /**
   * Search budget for one check.
   *
   * @param maxSteps search steps over all partitions before giving up (UNKNOWN)
   * @param timeout wall time before giving up (UNKNOWN)
   * @param threads partitions searched in parallel
   */
  public record Options(long maxSteps, Duration timeout, int threads) {
    public static Options defaults() {
      return new Options(2_000_000_000L, Duration.ofSeconds(120), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public Options withMaxSteps(long steps) {
      return new Options(steps, timeout, threads);
    }

    public Options withTimeout(Duration t) {
      return new Options(maxSteps, t, threads);
    }
  }

  private LinearizabilityChecker() {}

  public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history) {
    return check(model, history, Options.defaults());
  }

  public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history, Options options) {
    long start = System.nanoTime();
    long deadline = start + options.timeout().toNanos();
    List<Operation<I, O>> relevant = new ArrayList<>(history.size());
    for (Operation<I, O> op : history) {
      if (!(op.isPending() && model.isReadOnly(op.input()))) {
        relevant.add(op); // a pending read neither constrains nor changes anything
      }
    }
    List<Model.Partition<S, I, O>> partitions = new ArrayList<>(model.partition(relevant));
    partitions.sort(Comparator.comparingInt((Model.Partition<S, I, O> p) -> p.operations().size()).reversed());
    Budget budget = new Budget(options.maxSteps(), deadline);
    List<PartitionReport<I, O>> reports = new ArrayList<>();
    int threads = Math.min(options.threads(), partitions.size());
    if (threads <= 1) {
      for (Model.Partition<S, I, O> p : partitions) {
        reports.add(new Search<>(p, budget).run());
      }
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "linearizability-check");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<PartitionReport<I, O>>> futures = new ArrayList<>();
        for (Model.Partition<S, I, O> p : partitions) {
          futures.add(pool.submit(() -> new Search<>(p, budget).run()));
        }
        for (Future<PartitionReport<I, O>> f : futures) {
          reports.add(f.get());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking linearizability", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("linearizability search failed", e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
    Outcome outcome = Outcome.LINEARIZABLE;
    for (PartitionReport<I, O> r : reports) {
      if (r.outcome() == Outcome.ILLEGAL) {
        outcome = Outcome.ILLEGAL;
      } else if (r.outcome() == Outcome.UNKNOWN && outcome == Outcome.LINEARIZABLE) {
        outcome = Outcome.UNKNOWN;
      }
    }
    return new CheckResult<>(outcome, List.copyOf(history), List.copyOf(reports), budget.used.get(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Steps and time shared by the partitions of one check. */
  private static final class Budget {
    final long maxSteps;
    final long deadline;
    final AtomicLong used = new AtomicLong();
    final AtomicBoolean exhausted = new AtomicBoolean();

    Budget(long maxSteps, long deadline) {
      this.maxSteps = maxSteps;
      this.deadline = deadline;
    }

    /** Charges {@code steps}; false once the budget is gone. */
    boolean charge(long steps) {
      if (used.addAndGet(steps) > maxSteps || System.nanoTime() > deadline) {
        exhausted.set(true);
      }
      return !exhausted.get();
    }
  }

  /**
   * The search over one partition. Entries (calls and returns, sorted by time, calls first at equal
   * times, pending returns last) form a doubly linked list; linearizing an operation lifts its call
   * and return out of the list, backtracking puts them back (dancing links).
   *
   * <p>The memo key is the linearized set plus the state. Operations are numbered in call order;
   * every operation below the lowest non-linearized one is linearized, so the set is stored as that
   * bound plus the bitset words up to the highest linearized operation: a few words even for
   * histories of 100k operations.
   */
  private static final class Search<S, I, O> {

    private final Model.Partition<S, I, O> partition;
    private final Model<S, I, O> model;
    private final Budget budget;
    private final List<Operation<I, O>> ops; // in call order
    private final int[] original; // position in partition.operations() of ops[i]

    Search(Model.Partition<S, I, O> partition, Budget budget) {
      this.partition = partition;
      this.model = partition.model();
      this.budget = budget;
      List<Operation<I, O>> given = partition.operations();
      Integer[] order = new Integer[given.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, Comparator.comparingLong((Integer i) -> given.get(i).call())
          .thenComparingLong(i -> given.get(i).ret()).thenComparingInt(i -> i));
      this.ops = new ArrayList<>(order.length);
      this.original = new int[order.length];
      for (int i = 0; i < order.length; i++) {
        ops.add(given.get(order[i]));
        original[i] = order[i];
      }
    }

    @SuppressWarnings("unchecked")
    PartitionReport<I, O> run() {
      int n = ops.size();
      int entries = 2 * n;
      int head = entries;
      int tail = entries + 1;
      // Events: call of op i has key (call, 0, i); return (ret, 1, i). Sort positions.
      long[] time = new long[entries];
      for (int i = 0; i < n; i++) {
        time[2 * i] = ops.get(i).call();
        time[2 * i + 1] = ops.get(i).ret();
      }
      Integer[] ev = new Integer[entries];
      for (int e = 0; e < entries; e++) {
        ev[e] = e;
      }
      java.util.Arrays.sort(ev, Comparator.comparingLong((Integer e) -> time[e]).thenComparingInt(e -> e & 1)
          .thenComparingInt(e -> e));
      int[] opOf = new int[entries];
      boolean[] isCall = new boolean[entries];
      int[] match = new int[entries];
      int[] callPos = new int[n];
      int[] retPos = new int[n];
      for (int p = 0; p < entries; p++) {
        int e = ev[p];
        opOf[p] = e >> 1;
        isCall[p] = (e & 1) == 0;
        if (isCall[p]) {
          callPos[e >> 1] = p;
        } else {
          retPos[e >> 1] = p;
        }
      }
      for (int i = 0; i < n; i++) {
        match[callPos[i]] = retPos[i];
      }
      int[] next = new int[entries + 2];
      int[] prev = new int[entries + 2];
      next[head] = entries == 0 ? tail : 0;
      prev[tail] = entries == 0 ? head : entries - 1;
      for (int p = 0; p < entries; p++) {
        prev[p] = p == 0 ? head : p - 1;
        next[p] = p == entries - 1 ? tail : p + 1;
      }

      Object[] inputs = new Object[n];
      Object[] outputs = new Object[n];
      boolean[] pending = new boolean[n];
      long[] zobrist = new long[n];
      long seed = 0x9E3779B97F4A7C15L;
      int remaining = 0;
      for (int i = 0; i < n; i++) {
        Operation<I, O> op = ops.get(i);
        inputs[i] = op.input();
        outputs[i] = op.output();
        pending[i] = op.isPending();
        if (!pending[i]) {
          remaining++;
        }
        seed += 0x9E3779B97F4A7C15L;
        zobrist[i] = mix(seed);
      }

      long[] bits = new long[(n + 63) >>> 6];
      long z = 0;
      int low = 0;
      int depth = 0;
      int[] stackCall = new int[n];
      int[] stackLow = new int[n];
      int[] stackMax = new int[n];
      Object[] stackState = new Object[n];
      java.util.HashSet<Key> cache = new java.util.HashSet<>(Math.max(16, 2 * n));

      S state = model.init();
      int bestDepth = -1;
      int[] bestPrefix = new int[0];
      int bestStuck = -1;
      String bestState = null;
      long steps = 0;
      long charged = 0;
      long chargeEvery = Math.max(1, Math.min(1 << 14, budget.maxSteps / 64));
      int entry = next[head];
      Outcome outcome;
      while (true) {
        if (remaining == 0) {
          outcome = Outcome.LINEARIZABLE;
          break;
        }
        if (++steps - charged >= chargeEvery) {
          boolean ok = budget.charge(steps - charged);
          charged = steps;
          if (!ok) {
            outcome = Outcome.UNKNOWN;
            break;
          }
        }
        if (isCall[entry]) {
          int op = opOf[entry];
          S after = model.step(state, (I) inputs[op], (O) outputs[op]);
          if (after != null) {
            bits[op >>> 6] |= 1L << op;
            z ^= zobrist[op];
            int newLow = low;
            if (op == low) {
              newLow = nextClear(bits, low + 1, n);
            }
            int newMax = Math.max(depth == 0 ? -1 : stackMax[depth - 1], op);
            if (cache.add(new Key(z, newLow, window(bits, newLow, newMax), after))) {
              stackCall[depth] = entry;
              stackLow[depth] = low;
              stackMax[depth] = newMax;
              stackState[depth] = state;
              depth++;
              state = after;
              low = newLow;
              lift(entry, match[entry], next, prev);
              if (!pending[op]) {
                remaining--;
              }
              entry = next[head];
              continue;
            }
            bits[op >>> 6] &= ~(1L << op);
            z ^= zobrist[op];
          }
          entry = next[entry];
        } else {
          if (depth > bestDepth) {
            bestDepth = depth;
            bestPrefix = new int[depth];
            for (int d = 0; d < depth; d++) {
              bestPrefix[d] = original[opOf[stackCall[d]]];
            }
            bestStuck = original[opOf[entry]];
            bestState = model.describeState(state);
          }
          if (depth == 0) {
            outcome = Outcome.ILLEGAL;
            break;
          }
          depth--;
          int c = stackCall[depth];
          int op = opOf[c];
          state = (S) stackState[depth];
          stackState[depth] = null;
          low = stackLow[depth];
          bits[op >>> 6] &= ~(1L << op);
          z ^= zobrist[op];
          unlift(c, match[c], next, prev);
          if (!pending[op]) {
            remaining++;
          }
          entry = next[c];
        }
      }
      budget.charge(steps - charged);
      List<Integer> prefix = new ArrayList<>();
      if (outcome != Outcome.LINEARIZABLE) {
        for (int p : bestPrefix) {
          prefix.add(p);
        }
      }
      return new PartitionReport<>(partition.label(), partition.operations(), outcome, steps, List.copyOf(prefix),
          outcome == Outcome.LINEARIZABLE ? -1 : bestStuck, outcome == Outcome.LINEARIZABLE ? null : bestState);
    }

    private static void lift(int c, int r, int[] next, int[] prev) {
      next[prev[c]] = next[c];
      prev[next[c]] = prev[c];
      next[prev[r]] = next[r];
      prev[next[r]] = prev[r];
    }

    private static void unlift(int c, int r, int[] next, int[] prev) {
      next[prev[r]] = r;
      prev[next[r]] = r;
      next[prev[c]] = c;
      prev[next[c]] = c;
    }

    private static int nextClear(long[] bits, int from, int n) {
      int w = from >>> 6;
      if (w >= bits.length) {
        return n;
      }
      long word = ~bits[w] & (-1L << from);
      while (true) {
        if (word != 0) {
          return Math.min(n, (w << 6) + Long.numberOfTrailingZeros(word));
        }
        if (++w == bits.length) {
          return n;
        }
        word = ~bits[w];
      }
    }

    private static final long[] NONE = new long[0];

    /** The words holding linearized operations at or above {@code low} (everything below is linearized). */
    private static long[] window(long[] bits, int low, int max) {
      if (max < low) {
        return NONE;
      }
      int from = low >>> 6;
      int to = max >>> 6;
      long[] w = new long[to - from + 1];
      System.arraycopy(bits, from, w, 0, w.length);
      return w;
    }

    private static long mix(long x) {
      x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      return x ^ (x >>> 31);
    }
  }

  /** Memo entry: a linearized set (Zobrist hash, lower bound, window of words) and a model state. */
  private static final class Key {
    private final long z;
    private final int low;
    private final long[] words;
    private final Object state;
    private final int hash;

    Key(long z, int low, long[] words, Object state) {
      this.z = z;
      this.low = low;
      this.words = words;
      this.state = state;
      long h = z ^ (state.hashCode() * 0x9E3779B97F4A7C15L);
      this.hash = (int) (h ^ (h >>> 32));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.z == z && k.low == low && java.util.Arrays.equals(k.words, words)
          && k.state.equals(state);
    }
  }
}
