package testkit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates the histories the checker must decide fast: many clients issuing Get, Put and Append
 * (lab op 2) over a few keys, each operation a random interval that overlaps many others, taking
 * effect at a random point inside its interval (so the history is linearizable by construction),
 * optionally with exactly one injected stale read that makes it not linearizable.
 *
 * <p>Values are unique tokens {@code "x<n>;"}, so a value determines which writes built it.
 */
final class HardHistory {
  /** The 50-client / 2,000-operation / 10-key shape of the speed target. */
  static final int CLIENTS = 50;
  static final int OPERATIONS = 2_000;
  static final int KEYS = 10;

  private final SplittableRandom rnd;
  private final int clients;
  private final int operations;
  private final int keys;

  /** One generated operation with its linearization point and, for writes, the value it left. */
  private record Op(int client, KvInput input, long call, long ret, long point, int index) {}

  HardHistory(long seed, int clients, int operations, int keys) {
    this.rnd = new SplittableRandom(seed);
    this.clients = clients;
    this.operations = operations;
    this.keys = keys;
  }

  /** A linearizable history (lab model: an absent key reads as ""). */
  static List<Operation<KvInput, KvOutput>> linearizable(long seed) {
    return new HardHistory(seed, CLIENTS, OPERATIONS, KEYS).generate(false);
  }

  /** The same shape with one Get returning a value overwritten before the Get was called. */
  static List<Operation<KvInput, KvOutput>> withStaleRead(long seed) {
    return new HardHistory(seed, CLIENTS, OPERATIONS, KEYS).generate(true);
  }

  List<Operation<KvInput, KvOutput>> generate(boolean staleRead) {
    List<Op> ops = new ArrayList<>(operations);
    long[] free = new long[clients];
    int token = 0;
    while (ops.size() < operations) {
      int c = rnd.nextInt(clients);
      long call = free[c] + rnd.nextInt(20);
      // Mostly short operations, some long ones spanning many others (a slow or retrying client).
      long length = rnd.nextInt(10) == 0 ? 50 + rnd.nextInt(400) : 1 + rnd.nextInt(60);
      long ret = call + length;
      free[c] = ret + 1;
      String key = "k" + rnd.nextInt(keys);
      int r = rnd.nextInt(100);
      KvInput in = r < 40 ? new KvInput.Get(key)
          : r < 60 ? new KvInput.Put(key, "x" + token++ + ";") : new KvInput.Append(key, "x" + token++ + ";");
      ops.add(new Op(c, in, call, ret, call + rnd.nextLong(length + 1), ops.size()));
    }
    // Apply in linearization-point order to compute the outputs; remember, per write, the value
    // before it and the writes that built that value.
    List<Op> byPoint = new ArrayList<>(ops);
    byPoint.sort(Comparator.comparingLong(Op::point).thenComparingInt(Op::index));
    Map<String, String> store = new HashMap<>();
    Map<String, List<Op>> builders = new HashMap<>();
    KvOutput[] outputs = new KvOutput[ops.size()];
    String[] before = new String[ops.size()];
    List<List<Op>> builtBy = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      builtBy.add(List.of());
    }
    for (Op op : byPoint) {
      if (op.input() instanceof KvInput.Get g) {
        outputs[op.index()] = KvOutput.value(store.getOrDefault(g.key(), ""));
        continue;
      }
      String key = op.input() instanceof KvInput.Put p ? p.key() : ((KvInput.Append) op.input()).key();
      before[op.index()] = store.getOrDefault(key, "");
      List<Op> b = builders.getOrDefault(key, List.of());
      builtBy.set(op.index(), b);
      List<Op> now = new ArrayList<>();
      if (op.input() instanceof KvInput.Put p) {
        store.put(key, p.value());
      } else {
        store.merge(key, ((KvInput.Append) op.input()).value(), String::concat);
        now.addAll(b);
      }
      now.add(op);
      builders.put(key, now);
      outputs[op.index()] = KvOutput.DONE;
    }
    if (staleRead) {
      injectStaleRead(ops, outputs, before, builtBy);
    }
    List<Operation<KvInput, KvOutput>> history = new ArrayList<>(ops.size());
    for (Op op : ops) {
      history.add(Operation.completed(op.client(), op.input(), outputs[op.index()], op.call(), op.ret()));
    }
    return history;
  }

  /**
   * Picks a write W and a later Get G of the same key with W returned before G was called, and makes
   * G return the value W overwrote. Every write that built that value returned before W was called,
   * so in any linearization they precede W, W precedes G, and after W the value always holds a token
   * of W or of a later write: no linearization can give G that value.
   */
  private void injectStaleRead(List<Op> ops, KvOutput[] outputs, String[] before, List<List<Op>> builtBy) {
    for (int attempt = 0; attempt < 100_000; attempt++) {
      Op w = ops.get(rnd.nextInt(ops.size()));
      if (w.input() instanceof KvInput.Get) {
        continue;
      }
      boolean settled = builtBy.get(w.index()).stream().allMatch(b -> b.ret() < w.call());
      if (!settled) {
        continue;
      }
      String key = w.input() instanceof KvInput.Put p ? p.key() : ((KvInput.Append) w.input()).key();
      List<Op> gets = ops.stream().filter(g -> g.input() instanceof KvInput.Get get && get.key().equals(key)
          && g.call() > w.ret()).toList();
      if (gets.isEmpty()) {
        continue;
      }
      Op g = gets.get(rnd.nextInt(gets.size()));
      outputs[g.index()] = KvOutput.value(before[w.index()]);
      return;
    }
    throw new IllegalStateException("no place for a stale read in this history");
  }
}
