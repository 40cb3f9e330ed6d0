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
   * @param maxStates memoized search states over all partitions before giving up (UNKNOWN), so that a
   *     pathological history answers UNKNOWN instead of running out of memory
   */
  public record Options(long maxSteps, Duration timeout, int threads, long maxStates) {
    /** About 256 bytes per memoized state: a quarter of the heap at most. */
    private static final long BYTES_PER_STATE = 1024;

    public Options(long maxSteps, Duration timeout, int threads) {
      this(maxSteps, timeout, threads, Runtime.getRuntime().maxMemory() / BYTES_PER_STATE);
    }

    public static Options defaults() {
      return new Options(2_000_000_000L, Duration.ofSeconds(120), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public Options withMaxSteps(long steps) {
      return new Options(steps, timeout, threads, maxStates);
    }

    public Options withTimeout(Duration t) {
      return new Options(maxSteps, t, threads, maxStates);
    }

    public Options withThreads(int n) {
      return new Options(maxSteps, timeout, n, maxStates);
    }

    public Options withMaxStates(long states) {
      return new Options(maxSteps, timeout, threads, states);
    }
  }

  private LinearizabilityChecker() {}

  public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history) {
    return check(model, history, Options.defaults());
  }

  /**
   * Checks every partition of {@code history} (largest first, {@link Options#threads} at a time) and
   * stops at the first ILLEGAL one: the partitions not yet searched then count as
   * {@link CheckResult#unchecked}.
   */
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
    Budget budget = new Budget(options.maxSteps(), options.maxStates(), deadline);
    List<PartitionReport<I, O>> reports = new ArrayList<>();
    int threads = Math.min(options.threads(), partitions.size());
    if (threads <= 1) {
      for (Model.Partition<S, I, O> p : partitions) {
        PartitionReport<I, O> r = new Search<>(p, budget).run();
        if (r != null) {
          reports.add(r);
        }
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
          PartitionReport<I, O> r = f.get();
          if (r != null) {
            reports.add(r);
          }
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
    long states = 0;
    for (PartitionReport<I, O> r : reports) {
      states += r.states();
      if (r.outcome() == Outcome.ILLEGAL) {
        outcome = Outcome.ILLEGAL;
      } else if (r.outcome() == Outcome.UNKNOWN && outcome == Outcome.LINEARIZABLE) {
        outcome = Outcome.UNKNOWN;
      }
    }
    return new CheckResult<>(outcome, List.copyOf(history), List.copyOf(reports), partitions.size() - reports.size(),
        budget.steps.get(), states, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Steps, states and time shared by the partitions of one check, and whether one is already ILLEGAL. */
  private static final class Budget {
    final long maxSteps;
    final long maxStates;
    final long deadline;
    final AtomicLong steps = new AtomicLong();
    final AtomicLong states = new AtomicLong();
    final AtomicBoolean exhausted = new AtomicBoolean();
    final AtomicBoolean illegalFound = new AtomicBoolean();

    Budget(long maxSteps, long maxStates, long deadline) {
      this.maxSteps = maxSteps;
      this.maxStates = maxStates;
      this.deadline = deadline;
    }

    /** Charges steps and new states; false once the budget is gone. */
    boolean charge(long newSteps, long newStates) {
      if (steps.addAndGet(newSteps) > maxSteps | states.addAndGet(newStates) > maxStates
          || System.nanoTime() > deadline) {
        exhausted.set(true);
      }
      return !exhausted.get();
    }
  }

  /**
   * The search over one partition: Wing &amp; Gong's depth-first search over the operations that may
   * go next, with Lowe's memo of visited (linearized set, state) pairs, as in Porcupine's
   * {@code checkSingle}. Entries (calls and returns, sorted by time, calls first at equal times,
   * pending returns last) form a doubly linked list; linearizing an operation lifts its call and
   * return out of the list, backtracking puts them back (dancing links). The candidates are the
   * calls before the first return left in the list.
   *
   * <p>Two reductions on top, both exact (and a third in the model, below):
   * <ul>
   *   <li>A read-only candidate that is legal in the current state is linearized at once and its
   *       alternatives are not tried: any linearization from here stays valid with that read moved
   *       to the front (it changes nothing, and every operation that returned before its call is
   *       already linearized).
   *   <li>Lookahead: after a write, the next operations left in the list that observe the state (reads
   *       with their values) must each still be reachable from the new state using only the
   *       operations that may precede them ({@link Model#mayReach}); if not, the branch is dead. For
   *       appends this cuts the factorial number of append orders down to the one the reads saw.
   * </ul>
   *
   * <p>After each write the model may {@link Model#forget} what no remaining operation can observe, so
   * that the memo merges those states (for KV: the orders of appends a Put overwrote unread).
   *
   * <p>The memo key is the linearized set plus the state. Operations are numbered in call order;
   * every operation below the lowest non-linearized one is linearized, so the set is stored as that
   * bound plus the bitset words up to the highest linearized operation: a few words even for
   * histories of 100k operations.
   */
  private static final class Search<S, I, O> {
    /** How far the lookahead walks the list looking for an observing operation. */
    private static final int LOOKAHEAD = 512;
    /** How many observing operations the lookahead checks. */
    private static final int OBSERVERS = 4;

    private final Model.Partition<S, I, O> partition;
    private final Model<S, I, O> model;
    private final Budget budget;
    private final List<Operation<I, O>> ops; // in call order
    private final int[] original; // position in partition.operations() of ops[i]

    // The entry list: positions 0..2n-1 are entries in time order, head and tail are sentinels.
    private int n;
    private int head;
    private int tail;
    private int[] opOf;
    private boolean[] isCall;
    private int[] match;
    private int[] next;
    private int[] prev;
    private Object[] inputs;
    private Object[] outputs;
    private boolean[] observes;
    private final List<I> earlier = new ArrayList<>();

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

    private void buildList() {
      n = ops.size();
      int entries = 2 * n;
      head = entries;
      tail = entries + 1;
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
      opOf = new int[entries];
      isCall = new boolean[entries];
      match = new int[entries];
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
      next = new int[entries + 2];
      prev = new int[entries + 2];
      next[head] = entries == 0 ? tail : 0;
      prev[tail] = entries == 0 ? head : entries - 1;
      for (int p = 0; p < entries; p++) {
        prev[p] = p == 0 ? head : p - 1;
        next[p] = p == entries - 1 ? tail : p + 1;
      }
      inputs = new Object[n];
      outputs = new Object[n];
      observes = new boolean[n];
      for (int i = 0; i < n; i++) {
        Operation<I, O> op = ops.get(i);
        inputs[i] = op.input();
        outputs[i] = op.output();
        observes[i] = !op.isPending() && model.observes(op.input(), op.output());
      }
    }

    /** The partition's report, or null if another partition was found ILLEGAL first. */
    @SuppressWarnings("unchecked")
    PartitionReport<I, O> run() {
      if (budget.illegalFound.get()) {
        return null;
      }
      buildList();
      boolean[] pending = new boolean[n];
      boolean[] readOnly = new boolean[n];
      long[] zobrist = new long[n];
      long seed = 0x9E3779B97F4A7C15L;
      int remaining = 0;
      for (int i = 0; i < n; i++) {
        Operation<I, O> op = ops.get(i);
        pending[i] = op.isPending();
        readOnly[i] = model.isReadOnly(op.input());
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
      boolean[] stackForced = new boolean[n];
      Object[] stackState = new Object[n];
      java.util.HashSet<Key> cache = new java.util.HashSet<>(Math.max(16, 2 * n));

      S state = model.init();
      int bestDepth = -1;
      int[] bestPrefix = new int[0];
      int bestStuck = -1;
      String bestState = null;
      long steps = 0;
      long charged = 0;
      long chargedStates = 0;
      long chargeEvery = Math.max(1, Math.min(1 << 14, Math.min(budget.maxSteps, budget.maxStates) / 64));
      boolean fresh = true; // at a node not yet expanded: look for a legal read first
      int entry = next[head];
      Outcome outcome = null;
      while (outcome == null) {
        if (remaining == 0) {
          outcome = Outcome.LINEARIZABLE;
          break;
        }
        if (++steps - charged >= chargeEvery) {
          boolean ok = budget.charge(steps - charged, cache.size() - chargedStates);
          charged = steps;
          chargedStates = cache.size();
          if (budget.illegalFound.get()) {
            return null;
          }
          if (!ok) {
            outcome = Outcome.UNKNOWN;
            break;
          }
        }
        boolean deadEnd = false;
        if (fresh) {
          fresh = false;
          entry = next[head];
          int read = firstLegalRead(state, readOnly);
          if (read >= 0) {
            int op = opOf[read];
            bits[op >>> 6] |= 1L << op;
            z ^= zobrist[op];
            int newLow = op == low ? nextClear(bits, low + 1, n) : low;
            int newMax = Math.max(depth == 0 ? -1 : stackMax[depth - 1], op);
            if (cache.add(new Key(z, newLow, window(bits, newLow, newMax), state))) {
              stackCall[depth] = read;
              stackLow[depth] = low;
              stackMax[depth] = newMax;
              stackState[depth] = state;
              stackForced[depth] = true;
              depth++;
              low = newLow;
              lift(read, match[read], next, prev);
              remaining--;
              fresh = true;
              continue;
            }
            // Seen with the read linearized: this node has no completion either.
            bits[op >>> 6] &= ~(1L << op);
            z ^= zobrist[op];
            deadEnd = true;
          }
        }
        if (!deadEnd && isCall[entry]) {
          int op = opOf[entry];
          S after = readOnly[op] ? null : model.step(state, (I) inputs[op], (O) outputs[op]);
          if (after != null) {
            bits[op >>> 6] |= 1L << op;
            z ^= zobrist[op];
            int newLow = op == low ? nextClear(bits, low + 1, n) : low;
            int newMax = Math.max(depth == 0 ? -1 : stackMax[depth - 1], op);
            lift(entry, match[entry], next, prev);
            after = model.forget(after, remaining());
            int blocked = -1;
            if (cache.add(new Key(z, newLow, window(bits, newLow, newMax), after))
                && (blocked = blockedObserver(after)) < 0) {
              stackCall[depth] = entry;
              stackLow[depth] = low;
              stackMax[depth] = newMax;
              stackState[depth] = state;
              stackForced[depth] = false;
              depth++;
              state = after;
              low = newLow;
              if (!pending[op]) {
                remaining--;
              }
              fresh = true;
              continue;
            }
            if (blocked >= 0 && depth + 1 > bestDepth) {
              // The lookahead ruled this out: report it as the prefix, stuck at the observer.
              bestDepth = depth + 1;
              bestPrefix = new int[depth + 1];
              for (int d = 0; d < depth; d++) {
                bestPrefix[d] = original[opOf[stackCall[d]]];
              }
              bestPrefix[depth] = original[op];
              bestStuck = original[opOf[blocked]];
              bestState = model.describeState(after);
            }
            unlift(entry, match[entry], next, prev);
            bits[op >>> 6] &= ~(1L << op);
            z ^= zobrist[op];
          }
          entry = next[entry];
          continue;
        }
        // A return reached (that operation is not linearized) or a dead node: backtrack.
        if (!deadEnd && depth > bestDepth) {
          bestDepth = depth;
          bestPrefix = new int[depth];
          for (int d = 0; d < depth; d++) {
            bestPrefix[d] = original[opOf[stackCall[d]]];
          }
          bestStuck = entry == tail ? -1 : original[opOf[entry]];
          bestState = model.describeState(state);
        }
        while (true) {
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
          if (!stackForced[depth]) {
            entry = next[c];
            break;
          }
          // A forced read: its node had no alternative worth trying, so it is dead too.
        }
      }
      budget.charge(steps - charged, cache.size() - chargedStates);
      if (outcome == Outcome.ILLEGAL) {
        budget.illegalFound.set(true);
      }
      List<Integer> prefix = new ArrayList<>();
      if (outcome != Outcome.LINEARIZABLE) {
        for (int p : bestPrefix) {
          prefix.add(p);
        }
      }
      return new PartitionReport<>(partition.label(), partition.operations(), outcome, steps, cache.size(),
          List.copyOf(prefix), outcome == Outcome.LINEARIZABLE ? -1 : bestStuck,
          outcome == Outcome.LINEARIZABLE ? null : bestState);
    }

    /** The operations left in the list (not linearized), in call order; walks the list lazily. */
    private Iterable<Operation<I, O>> remaining() {
      return () -> new java.util.Iterator<>() {
        private int e = advance(next[head]);

        private int advance(int from) {
          int at = from;
          while (at != tail && !isCall[at]) {
            at = next[at];
          }
          return at;
        }

        @Override
        public boolean hasNext() {
          return e != tail;
        }

        @Override
        public Operation<I, O> next() {
          if (e == tail) {
            throw new java.util.NoSuchElementException();
          }
          Operation<I, O> op = ops.get(opOf[e]);
          e = advance(next[e]);
          return op;
        }
      };
    }

    /** The first candidate read that is legal in {@code state}, or -1. */
    @SuppressWarnings("unchecked")
    private int firstLegalRead(S state, boolean[] readOnly) {
      for (int e = next[head]; e != tail && isCall[e]; e = next[e]) {
        int op = opOf[e];
        if (readOnly[op] && model.step(state, (I) inputs[op], (O) outputs[op]) != null) {
          return e;
        }
      }
      return -1;
    }

    /**
     * The lookahead: can each of the first {@link #OBSERVERS} observing operations left in the list
     * (within {@link #LOOKAHEAD} entries) still see its output from {@code state}, using operations
     * called before it returned? (The list of those includes the observer itself: a superset is sound.)
     *
     * @return -1 if so, else the return entry of an observer that cannot
     */
    @SuppressWarnings("unchecked")
    private int blockedObserver(S state) {
      earlier.clear();
      int checked = 0;
      int e = next[head];
      for (int walked = 0; e != tail && walked < LOOKAHEAD; walked++, e = next[e]) {
        int op = opOf[e];
        if (isCall[e]) {
          earlier.add((I) inputs[op]);
        } else if (observes[op]) {
          if (!model.mayReach(state, (I) inputs[op], (O) outputs[op], earlier)) {
            return e;
          }
          if (++checked == OBSERVERS) {
            return -1;
          }
        }
      }
      return -1;
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
