package testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.linearizability.CheckResult.Outcome;

/**
 * The fast checker (partitions, memo, read reduction, lookahead) against {@link BruteForce} on
 * thousands of small random histories: every operation kind of {@link KvModel}, one to three keys,
 * pending operations that did or did not take effect, values that are prefixes of each other (the
 * lookahead's hard case), three quarters of them with one or two outputs or intervals mutated at random.
 * Both verdicts must agree on every history, and both verdicts must be common.
 */
@ExtendWith(SeedExtension.class)
class BruteForceCrossCheckTest {
  private static final Logger log = LoggerFactory.getLogger(BruteForceCrossCheckTest.class);
  private static final int HISTORIES = 5_000;
  private static final String[] KEYS = {"a", "b", "c"};
  private static final String[] VALUES = {"", "x", "y", "xy", "xx", "yx"};

  @Test
  void strictModelAgreesWithBruteForce(long seed) {
    crossCheck(seed, false);
  }

  @Test
  void labModelAgreesWithBruteForce(long seed) {
    crossCheck(seed ^ 0x5DEECE66DL, true);
  }

  private static void crossCheck(long seed, boolean lab) {
    log.info("seed {} ({} model)", seed, lab ? "lab" : "strict");
    SplittableRandom rnd = new SplittableRandom(seed);
    int linearizable = 0;
    for (int i = 0; i < HISTORIES; i++) {
      List<Operation<KvInput, KvOutput>> h = new Small(rnd, lab).generate();
      TreeSet<String> keys = new TreeSet<>();
      for (Operation<KvInput, KvOutput> op : h) {
        keys.addAll(keysOf(op));
      }
      boolean expected = BruteForce.isLinearizable(KvModel.over(lab, keys), h);
      KvModel model = lab ? KvModel.lab() : KvModel.strict();
      CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(model, h,
          LinearizabilityChecker.Options.defaults().withThreads(1 + i % 2));
      int index = i;
      assertEquals(expected ? Outcome.LINEARIZABLE : Outcome.ILLEGAL, r.outcome(),
          () -> "history " + index + " (seed " + seed + "):\n" + describe(model, h));
      linearizable += expected ? 1 : 0;
    }
    log.info("{} model: {} of {} histories linearizable", lab ? "lab" : "strict", linearizable, HISTORIES);
    assertTrue(linearizable > HISTORIES / 5 && linearizable < HISTORIES * 4 / 5,
        "both verdicts must be common: " + linearizable + " of " + HISTORIES + " linearizable");
  }

  private static List<String> keysOf(Operation<KvInput, KvOutput> op) {
    List<String> keys = new ArrayList<>();
    KvInput in = op.input();
    if (in instanceof KvInput.Get g) {
      keys.add(g.key());
    } else if (in instanceof KvInput.Put p) {
      keys.add(p.key());
    } else if (in instanceof KvInput.Append a) {
      keys.add(a.key());
    } else if (in instanceof KvInput.AppendReturningOld a) {
      keys.add(a.key());
    } else if (in instanceof KvInput.Delete d) {
      keys.add(d.key());
    } else if (in instanceof KvInput.Cas c) {
      keys.add(c.key());
    }
    if (op.output() instanceof KvOutput.Scanned s) {
      s.entries().forEach(kv -> keys.add(kv.key()));
    }
    return keys;
  }

  private static String describe(KvModel model, List<Operation<KvInput, KvOutput>> h) {
    return h.stream().map(op -> "  [" + op.call() + ", " + (op.isPending() ? "pending" : op.ret()) + "] "
        + model.describeOperation(op.input(), op.output())).collect(Collectors.joining("\n"));
  }

  /**
   * One small history: random intervals, each operation taking effect at a random point inside its
   * interval on a sequential store (so it is linearizable), then maybe one mutation.
   */
  private static final class Small {
    private final SplittableRandom rnd;
    private final boolean lab;
    private final int keys;
    private final TreeMap<String, String> store = new TreeMap<>();

    Small(SplittableRandom rnd, boolean lab) {
      this.rnd = rnd;
      this.lab = lab;
      this.keys = 1 + rnd.nextInt(KEYS.length);
    }

    private record Planned(int index, KvInput input, long call, long ret, long point, boolean pending,
        boolean takesEffect) {}

    List<Operation<KvInput, KvOutput>> generate() {
      int n = 2 + rnd.nextInt(7);
      List<Planned> plan = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long call = rnd.nextInt(24);
        long length = rnd.nextInt(12);
        boolean pending = rnd.nextInt(8) == 0;
        plan.add(new Planned(i, randomInput(), call, call + length, call + rnd.nextLong(length + 1), pending,
            !pending || rnd.nextBoolean()));
      }
      List<Planned> byPoint = new ArrayList<>(plan);
      byPoint.sort(Comparator.comparingLong(Planned::point).thenComparingInt(Planned::index));
      KvOutput[] outputs = new KvOutput[n];
      for (Planned p : byPoint) {
        if (p.takesEffect()) {
          outputs[p.index()] = apply(p.input());
        }
      }
      List<Operation<KvInput, KvOutput>> h = new ArrayList<>();
      for (Planned p : plan) {
        h.add(p.pending() ? Operation.pending(p.index(), p.input(), p.call())
            : Operation.completed(p.index(), p.input(), outputs[p.index()], p.call(), p.ret()));
      }
      for (int m = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(2); m > 0; m--) {
        mutate(h);
      }
      return h;
    }

    private void mutate(List<Operation<KvInput, KvOutput>> h) {
      int i = rnd.nextInt(h.size());
      Operation<KvInput, KvOutput> op = h.get(i);
      if (op.isPending()) {
        return;
      }
      KvOutput out = randomOutput(op.input());
      if (out == null || rnd.nextInt(4) == 0) {
        long call = rnd.nextInt(24);
        h.set(i, Operation.completed(op.clientId(), op.input(), op.output(), call, call + rnd.nextInt(12)));
      } else {
        h.set(i, Operation.completed(op.clientId(), op.input(), out, op.call(), op.ret()));
      }
    }

    private String key() {
      return KEYS[rnd.nextInt(keys)];
    }

    private String value() {
      return VALUES[rnd.nextInt(VALUES.length)];
    }

    private String valueOrAbsent() {
      return rnd.nextInt(4) == 0 ? null : value();
    }

    private KvInput randomInput() {
      switch (rnd.nextInt(9)) {
        case 0: case 1: return new KvInput.Get(key());
        case 2: return new KvInput.Put(key(), value());
        case 3: case 4: return new KvInput.Append(key(), value());
        case 5: return new KvInput.AppendReturningOld(key(), value());
        case 6: return new KvInput.Delete(key());
        case 7: return new KvInput.Cas(key(), valueOrAbsent(), value());
        default:
          String a = key();
          String b = key();
          boolean unbounded = rnd.nextInt(4) == 0;
          return new KvInput.Scan(a.compareTo(b) <= 0 ? a : b, unbounded ? null : a.compareTo(b) <= 0 ? b : a,
              rnd.nextInt(3));
      }
    }

    /** A plausible output of the right kind, or null for writes whose output is ignored. */
    private KvOutput randomOutput(KvInput in) {
      if (in instanceof KvInput.Get || in instanceof KvInput.AppendReturningOld) {
        String v = valueOrAbsent();
        return v == null ? KvOutput.NO_KEY : KvOutput.value(v);
      } else if (in instanceof KvInput.Cas) {
        switch (rnd.nextInt(3)) {
          case 0: return KvOutput.CasResult.of(rnd.nextBoolean());
          case 1: return KvOutput.CasResult.of(rnd.nextBoolean(), valueOrAbsent());
          default: return KvOutput.CasResult.currentOnly(valueOrAbsent());
        }
      } else if (in instanceof KvInput.Scan) {
        List<KvOutput.KeyValue> entries = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
          if (rnd.nextBoolean()) {
            entries.add(new KvOutput.KeyValue(KEYS[k], value()));
          }
        }
        return new KvOutput.Scanned(entries);
      }
      return null;
    }

    private KvOutput read(String key) {
      String v = store.get(key);
      return v == null ? (lab ? KvOutput.value("") : KvOutput.NO_KEY) : KvOutput.value(v);
    }

    /** Sets a key the way the model does: in the lab model an empty value is an absent key. */
    private void set(String key, String value) {
      if (value == null || lab && value.isEmpty()) {
        store.remove(key);
      } else {
        store.put(key, value);
      }
    }

    private KvOutput apply(KvInput in) {
      if (in instanceof KvInput.Get g) {
        return read(g.key());
      } else if (in instanceof KvInput.Put p) {
        set(p.key(), p.value());
        return KvOutput.DONE;
      } else if (in instanceof KvInput.Append a) {
        set(a.key(), store.getOrDefault(a.key(), "") + a.value());
        return KvOutput.DONE;
      } else if (in instanceof KvInput.AppendReturningOld a) {
        KvOutput old = read(a.key());
        set(a.key(), store.getOrDefault(a.key(), "") + a.value());
        return old;
      } else if (in instanceof KvInput.Delete d) {
        store.remove(d.key());
        return KvOutput.DONE;
      } else if (in instanceof KvInput.Cas c) {
        String cur = store.get(c.key());
        boolean matched = c.expected() == null || lab && c.expected().isEmpty() ? cur == null
            : c.expected().equals(cur);
        if (matched) {
          set(c.key(), c.value());
        }
        return KvOutput.CasResult.of(matched, cur);
      } else if (in instanceof KvInput.Scan s) {
        List<KvOutput.KeyValue> got = new ArrayList<>();
        Map<String, String> range = s.to() == null ? store.tailMap(s.from(), true) : store.subMap(s.from(), true, s.to(), false);
        for (Map.Entry<String, String> e : range.entrySet()) {
          if (s.limit() > 0 && got.size() == s.limit()) {
            break;
          }
          got.add(new KvOutput.KeyValue(e.getKey(), e.getValue()));
        }
        return new KvOutput.Scanned(got);
      }
      throw new IllegalArgumentException(String.valueOf(in));
    }
  }
}
