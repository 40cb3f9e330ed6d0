package testkit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The key/value model: Get, Put, Append, Append returning the old value, Delete, compare-and-set
 * and Scan over string keys and values, initially empty.
 *
 * <ul>
 *   <li>{@link #strict()}: a missing key ({@link KvOutput#NO_KEY}) differs from an empty value.
 *   <li>{@link #lab()}: the lab's model (src/models/kv.go) where missing == "": a Get of an absent
 *       key returns {@code Value("")}, Put/Append of "" leave the key absent, Scan skips empty values.
 * </ul>
 *
 * <p>Partitioning: single-key operations are grouped by key; a Scan links every key of the history
 * (inputs and Scan outputs) inside its range, and the partitions are the connected components of
 * keys. Each partition gets a model whose state holds only its keys.
 */
public final class KvModel implements Model<KvModel.State, KvInput, KvOutput> {
  private static final int SHOW = 24;

  private final boolean lab;
  private final String[] keys;
  private final Map<String, Integer> index;

  private KvModel(boolean lab, String[] keys) {
    this.lab = lab;
    this.keys = keys;
    this.index = new HashMap<>();
    for (int i = 0; i < keys.length; i++) {
      index.put(keys[i], i);
    }
  }

  /** Missing key distinct from the empty value. */
  public static KvModel strict() {
    return new KvModel(false, new String[0]);
  }

  /** The lab's model: a missing key reads as "". */
  public static KvModel lab() {
    return new KvModel(true, new String[0]);
  }

  /**
   * One model over all of {@code keys}, for checking a history without partitioning it (the
   * brute-force cross-check does, to test the partitioning too).
   */
  static KvModel over(boolean lab, java.util.Collection<String> keys) {
    return new KvModel(lab, new TreeSet<>(keys).toArray(new String[0]));
  }

  public boolean isLab() {
    return lab;
  }

  // ---------------------------------------------------------------- partitioning

  @Override
  public List<Partition<State, KvInput, KvOutput>> partition(List<Operation<KvInput, KvOutput>> history) {
    TreeSet<String> universe = new TreeSet<>();
    for (Operation<KvInput, KvOutput> op : history) {
      String k = singleKey(op.input());
      if (k != null) {
        universe.add(k);
      }
      if (op.output() instanceof KvOutput.Scanned s) {
        for (KvOutput.KeyValue kv : s.entries()) {
          universe.add(kv.key());
        }
      }
    }
    String[] all = universe.toArray(new String[0]);
    Map<String, Integer> pos = new HashMap<>();
    for (int i = 0; i < all.length; i++) {
      pos.put(all[i], i);
    }
    int[] parent = new int[all.length];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (Operation<KvInput, KvOutput> op : history) {
      if (op.input() instanceof KvInput.Scan s) {
        int lo = lowerBound(all, s.from());
        int hi = s.to() == null ? all.length : lowerBound(all, s.to());
        for (int i = lo + 1; i < hi; i++) {
          union(parent, lo, i);
        }
      }
    }
    // Group operations by the root of the keys they touch; key-less Scans go to one group of their own.
    Map<Integer, List<Operation<KvInput, KvOutput>>> groups = new LinkedHashMap<>();
    for (Operation<KvInput, KvOutput> op : history) {
      int root;
      String k = singleKey(op.input());
      if (k != null) {
        root = find(parent, pos.get(k));
      } else {
        KvInput.Scan s = (KvInput.Scan) op.input();
        int lo = lowerBound(all, s.from());
        int hi = s.to() == null ? all.length : lowerBound(all, s.to());
        root = lo < hi ? find(parent, lo) : -1;
      }
      groups.computeIfAbsent(root, r -> new ArrayList<>()).add(op);
    }
    TreeMap<Integer, List<String>> keysByRoot = new TreeMap<>();
    for (int i = 0; i < all.length; i++) {
      keysByRoot.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(all[i]);
    }
    List<Partition<State, KvInput, KvOutput>> out = new ArrayList<>();
    for (Map.Entry<Integer, List<Operation<KvInput, KvOutput>>> g : groups.entrySet()) {
      List<String> ks = g.getKey() < 0 ? List.of() : keysByRoot.get(g.getKey());
      String label = ks.isEmpty() ? "(no keys)" : ks.size() == 1 ? "key " + quote(ks.get(0))
          : "keys " + quote(ks.get(0)) + ".." + quote(ks.get(ks.size() - 1)) + " (" + ks.size() + ")";
      out.add(new Partition<>(new KvModel(lab, ks.toArray(new String[0])), g.getValue(), label));
    }
    return out;
  }

  private static String singleKey(KvInput in) {
    if (in instanceof KvInput.Get g) {
      return g.key();
    } else if (in instanceof KvInput.Put p) {
      return p.key();
    } else if (in instanceof KvInput.Append a) {
      return a.key();
    } else if (in instanceof KvInput.AppendReturningOld a) {
      return a.key();
    } else if (in instanceof KvInput.Delete d) {
      return d.key();
    } else if (in instanceof KvInput.Cas c) {
      return c.key();
    } else if (in instanceof KvInput.Scan) {
      return null;
    }
    throw new IllegalArgumentException("unknown input " + in);
  }

  private static int lowerBound(String[] sorted, String key) {
    int i = Arrays.binarySearch(sorted, key);
    return i >= 0 ? i : -i - 1;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  // ---------------------------------------------------------------- sequential specification

  @Override
  public State init() {
    return new State(new Text[keys.length], 0);
  }

  @Override
  public boolean isReadOnly(KvInput input) {
    return input instanceof KvInput.Get || input instanceof KvInput.Scan;
  }

  @Override
  public State step(State s, KvInput in, KvOutput out) {
    if (in instanceof KvInput.Get g) {
      return out == null || reads(s.values[slot(g.key())], out) ? s : null;
    } else if (in instanceof KvInput.Put p) {
      return s.with(slot(p.key()), text(p.value()));
    } else if (in instanceof KvInput.Append a) {
      int i = slot(a.key());
      return s.with(i, appended(s.values[i], a.value()));
    } else if (in instanceof KvInput.AppendReturningOld a) {
      int i = slot(a.key());
      if (out != null && !reads(s.values[i], out)) {
        return null;
      }
      return s.with(i, appended(s.values[i], a.value()));
    } else if (in instanceof KvInput.Delete d) {
      return s.with(slot(d.key()), null);
    } else if (in instanceof KvInput.Cas c) {
      return cas(s, c, out);
    } else if (in instanceof KvInput.Scan sc) {
      return out == null || scans(s, sc, out) ? s : null;
    }
    throw new IllegalArgumentException("unknown input " + in);
  }

  /** A Get or an append returning the old value, with a known value, in a one-key partition. */
  @Override
  public boolean observes(KvInput in, KvOutput out) {
    return keys.length == 1 && (out instanceof KvOutput.Value || out instanceof KvOutput.NoKey)
        && (in instanceof KvInput.Get || in instanceof KvInput.AppendReturningOld);
  }

  /**
   * The observed value must be the current one followed by appends from {@code earlier}, or, after a
   * reset from {@code earlier} (a Put, a Delete, or a Cas taken as a Put of its new value), that
   * reset's value followed by such appends. "Followed by appends" is checked as "a concatenation of
   * {@code earlier}'s append values", each usable any number of times: a relaxation, so never wrong.
   */
  @Override
  public boolean mayReach(State s, KvInput in, KvOutput out, List<KvInput> earlier) {
    if (!observes(in, out)) {
      return true;
    }
    String target = out instanceof KvOutput.Value v && !(lab && v.value().isEmpty()) ? v.value() : null;
    List<KvInput> appends = earlier;
    Text cur = s.values[0];
    if (target == null) {
      if (cur == null) {
        return true;
      }
      for (KvInput e : earlier) {
        String reset = resetValue(e);
        if (e instanceof KvInput.Delete || reset != null && lab && reset.isEmpty()) {
          return true;
        }
      }
      return false; // appends never make a key absent
    }
    if (target.isEmpty()) {
      return true; // strict model: an empty value, reachable in too many ways to be worth checking
    }
    if (cur == null ? built(target, 0, appends) : cur.isPrefixOf(target) && built(target, cur.length(), appends)) {
      return true;
    }
    for (KvInput e : earlier) {
      String reset = e instanceof KvInput.Delete ? "" : resetValue(e);
      if (reset != null && target.startsWith(reset) && built(target, reset.length(), appends)) {
        return true;
      }
    }
    return false;
  }

  /**
   * In a one-key partition: if no remaining operation can read the current value before some write
   * replaces it (no remaining read's value starts with it, no compare-and-set or scan remains), the
   * value is replaced by {@link Text#UNOBSERVABLE}, which any read rejects and appends keep. Exact:
   * every remaining read sees the current value followed by appends or a replaced one, so it must come
   * after a Put or Delete either way; those set the same value in both states. It merges the orders
   * of appends that a Put overwrote before anyone read them (otherwise each order is its own state).
   */
  @Override
  public State forget(State s, Iterable<Operation<KvInput, KvOutput>> remaining) {
    Text cur = keys.length == 1 ? s.values[0] : null;
    if (cur == null || cur == Text.UNOBSERVABLE) {
      return s;
    }
    for (Operation<KvInput, KvOutput> op : remaining) {
      KvInput in = op.input();
      if (in instanceof KvInput.Cas || in instanceof KvInput.Scan) {
        return s;
      }
      if ((in instanceof KvInput.Get || in instanceof KvInput.AppendReturningOld)
          && op.output() instanceof KvOutput.Value v && cur.isPrefixOf(v.value())) {
        return s; // this read may see the current value (a read without output accepts either state)
      }
    }
    return s.with(0, Text.UNOBSERVABLE);
  }

  /** The value a Put or Cas may set, or null. */
  private static String resetValue(KvInput e) {
    if (e instanceof KvInput.Put p) {
      return p.value();
    } else if (e instanceof KvInput.Cas c) {
      return c.value();
    }
    return null;
  }

  /**
   * Is {@code target} from {@code from} on a concatenation of the values of the appends in
   * {@code inputs} (each any number of times)? A search over positions in {@code target}.
   */
  private static boolean built(String target, int from, List<KvInput> inputs) {
    int end = target.length();
    if (from == end) {
      return true;
    }
    long[] seen = new long[((end - from) >>> 6) + 1];
    int[] todo = new int[8];
    int top = 0;
    todo[top++] = from;
    while (top > 0) {
      int at = todo[--top];
      for (int i = 0, k = inputs.size(); i < k; i++) {
        String part = appendedValue(inputs.get(i));
        if (part != null && !part.isEmpty() && target.startsWith(part, at)) {
          int to = at + part.length();
          if (to == end) {
            return true;
          }
          int bit = to - from;
          if ((seen[bit >>> 6] & (1L << bit)) == 0) {
            seen[bit >>> 6] |= 1L << bit;
            if (top == todo.length) {
              todo = Arrays.copyOf(todo, 2 * top);
            }
            todo[top++] = to;
          }
        }
      }
    }
    return false;
  }

  private static String appendedValue(KvInput in) {
    if (in instanceof KvInput.Append a) {
      return a.value();
    } else if (in instanceof KvInput.AppendReturningOld a) {
      return a.value();
    }
    return null;
  }

  private State cas(State s, KvInput.Cas c, KvOutput out) {
    int i = slot(c.key());
    Text cur = s.values[i];
    boolean matched = same(cur, c.expected());
    if (out != null) {
      if (!(out instanceof KvOutput.CasResult r)) {
        return null;
      }
      if (r.swapped() != null && r.swapped() != matched) {
        return null;
      }
      if (r.currentKnown() && !same(cur, r.current())) {
        return null;
      }
    }
    return matched ? s.with(i, text(c.value())) : s;
  }

  private boolean scans(State s, KvInput.Scan sc, KvOutput out) {
    if (!(out instanceof KvOutput.Scanned scanned)) {
      return false;
    }
    List<KvOutput.KeyValue> got = scanned.entries();
    int lo = lowerBound(keys, sc.from());
    int hi = sc.to() == null ? keys.length : lowerBound(keys, sc.to());
    int limit = sc.limit() <= 0 ? Integer.MAX_VALUE : sc.limit();
    int j = 0;
    for (int i = lo; i < hi && j < limit; i++) {
      Text v = s.values[i];
      if (v == null) {
        continue;
      }
      if (j >= got.size()) {
        return false;
      }
      KvOutput.KeyValue kv = got.get(j++);
      if (!kv.key().equals(keys[i]) || kv.value() == null || !v.contentEquals(kv.value())) {
        return false;
      }
    }
    return j == got.size();
  }

  /** Does reading {@code cur} produce {@code out}? */
  private boolean reads(Text cur, KvOutput out) {
    if (out instanceof KvOutput.Value v) {
      return cur == null ? lab && v.value().isEmpty() : cur.contentEquals(v.value());
    }
    return out instanceof KvOutput.NoKey && cur == null;
  }

  /** Does {@code cur} hold {@code expected} ({@code null}: absent)? */
  private boolean same(Text cur, String expected) {
    if (expected == null || (lab && expected.isEmpty())) {
      return cur == null;
    }
    return cur != null && cur.contentEquals(expected);
  }

  private Text text(String v) {
    return lab && v.isEmpty() ? null : Text.of(v);
  }

  private Text appended(Text cur, String v) {
    return cur == null ? text(v) : cur.append(v);
  }

  private int slot(String key) {
    if (keys.length == 1) {
      return 0; // a single-key partition holds only this key
    }
    Integer i = index.get(key);
    if (i == null) {
      throw new IllegalStateException("key " + quote(key) + " is not in this partition; check via partition()");
    }
    return i;
  }

  // ---------------------------------------------------------------- descriptions

  @Override
  public String describeOperation(KvInput in, KvOutput out) {
    String call;
    if (in instanceof KvInput.Get g) {
      call = "get(" + quote(g.key()) + ")";
    } else if (in instanceof KvInput.Put p) {
      call = "put(" + quote(p.key()) + ", " + quote(p.value()) + ")";
    } else if (in instanceof KvInput.Append a) {
      call = "append(" + quote(a.key()) + ", " + quote(a.value()) + ")";
    } else if (in instanceof KvInput.AppendReturningOld a) {
      call = "append(" + quote(a.key()) + ", " + quote(a.value()) + ")";
    } else if (in instanceof KvInput.Delete d) {
      call = "delete(" + quote(d.key()) + ")";
    } else if (in instanceof KvInput.Cas c) {
      call = "cas(" + quote(c.key()) + ", " + (c.expected() == null ? "absent" : quote(c.expected())) + " -> "
          + quote(c.value()) + ")";
    } else if (in instanceof KvInput.Scan s) {
      call = "scan([" + quote(s.from()) + ", " + (s.to() == null ? "end" : quote(s.to())) + ")"
          + (s.limit() > 0 ? ", limit " + s.limit() : "") + ")";
    } else {
      call = String.valueOf(in);
    }
    return call + " -> " + describeOutput(out);
  }

  private static String describeOutput(KvOutput out) {
    if (out == null) {
      return "?";
    } else if (out instanceof KvOutput.Value v) {
      return quote(v.value());
    } else if (out instanceof KvOutput.NoKey) {
      return "no such key";
    } else if (out instanceof KvOutput.Done) {
      return "ok";
    } else if (out instanceof KvOutput.CasResult r) {
      return (r.swapped() == null ? "" : r.swapped() ? "swapped" : "not swapped")
          + (r.currentKnown() ? (r.swapped() == null ? "" : ", ") + "current "
              + (r.current() == null ? "absent" : quote(r.current())) : "");
    } else if (out instanceof KvOutput.Scanned s) {
      StringBuilder sb = new StringBuilder("[");
      for (KvOutput.KeyValue kv : s.entries()) {
        sb.append(sb.length() > 1 ? ", " : "").append(quote(kv.key())).append('=').append(quote(kv.value()));
      }
      return sb.append(']').toString();
    }
    return String.valueOf(out);
  }

  @Override
  public String describeState(State s) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < keys.length; i++) {
      if (s.values[i] != null) {
        sb.append(sb.length() > 1 ? ", " : "").append(quote(keys[i])).append('=').append(quote(s.values[i].toString()));
      }
    }
    return sb.append('}').toString();
  }

  /** Quotes and shortens long values to their head and tail. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    if (s.length() <= 2 * SHOW + 10) {
      return '"' + s + '"';
    }
    return '"' + s.substring(0, SHOW) + "…(" + s.length() + " chars)…" + s.substring(s.length() - SHOW) + '"';
  }

  /**
   * The values of one partition's keys ({@code null}: absent). Immutable; the array is copied on
   * write (partitions hold few keys), and the hash is maintained incrementally.
   */
  public static final class State {
    private final Text[] values;
    private final int hash;

    private State(Text[] values, int hash) {
      this.values = values;
      this.hash = hash;
    }

    State with(int i, Text v) {
      Text old = values[i];
      if (old == v) {
        return this;
      }
      Text[] copy = values.clone();
      copy[i] = v;
      return new State(copy, hash - contribution(i, old) + contribution(i, v));
    }

    private static int contribution(int i, Text v) {
      return v == null ? 0 : (v.hashCode() ^ 0x5bd1e995) * (0x9E3779B9 * (2 * i + 1)) + 1;
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof State other) || other.hash != hash) {
        return false;
      }
      for (int i = 0; i < values.length; i++) {
        Text a = values[i];
        Text b = other.values[i];
        if (a != b && (a == null || !a.equals(b))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return Arrays.toString(values);
    }
  }
}
