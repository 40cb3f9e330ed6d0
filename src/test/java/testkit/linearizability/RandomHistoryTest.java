package testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.SeedExtension;
import testkit.linearizability.CheckResult.Outcome;

/**
 * Histories generated from a correct sequential store with random overlaps must be LINEARIZABLE;
 * the same histories with one read corrupted (never-written value, stale value) or one append
 * removed must be ILLEGAL.
 */
@ExtendWith(SeedExtension.class)
class RandomHistoryTest {
  private static final Logger log = LoggerFactory.getLogger(RandomHistoryTest.class);

  /**
   * Simulates {@code clients} clients against one sequential store. Each tick one random client
   * moves one phase: idle → called → applied (the effect happens, the output is computed) →
   * returned. So every operation takes effect strictly inside its [call, return] interval, and
   * operations overlap at random. Clients that are cut off at the end leave pending operations
   * (some applied, some not); a few clients crash mid-run and are replaced.
   */
  static final class Generator {
    final SplittableRandom rnd;
    final int clients;
    final int keys;
    final boolean scans;
    final boolean lab;
    final TreeMap<String, String> store = new TreeMap<>();
    final List<Operation<KvInput, KvOutput>> history = new ArrayList<>();
    int unique;

    Generator(long seed, int clients, int keys, boolean scans, boolean lab) {
      this.rnd = new SplittableRandom(seed);
      this.clients = clients;
      this.keys = keys;
      this.scans = scans;
      this.lab = lab;
    }

    List<Operation<KvInput, KvOutput>> generate(int operations) {
      int[] phase = new int[clients];
      int[] id = new int[clients];
      KvInput[] in = new KvInput[clients];
      KvOutput[] out = new KvOutput[clients];
      long[] call = new long[clients];
      int nextId = clients;
      for (int c = 0; c < clients; c++) {
        id[c] = c;
      }
      long t = 0;
      while (history.size() < operations) {
        t += 1 + rnd.nextInt(3);
        int c = rnd.nextInt(clients);
        if (phase[c] == 0) {
          in[c] = randomInput();
          call[c] = t;
          phase[c] = 1;
        } else if (phase[c] == 1) {
          out[c] = apply(in[c]);
          phase[c] = 2;
        } else {
          if (rnd.nextInt(2000) == 0) { // crash: the operation stays pending (it did take effect)
            history.add(Operation.pending(id[c], in[c], call[c]));
            id[c] = nextId++;
          } else {
            history.add(Operation.completed(id[c], in[c], out[c], call[c], t));
          }
          phase[c] = 0;
        }
      }
      for (int c = 0; c < clients; c++) {
        if (phase[c] == 1 && rnd.nextBoolean()) {
          apply(in[c]); // took effect, never returned
        }
        if (phase[c] != 0) {
          history.add(Operation.pending(id[c], in[c], call[c]));
        }
      }
      return history;
    }

    private String key() {
      return "k" + (char) ('a' + rnd.nextInt(keys));
    }

    private KvInput randomInput() {
      int r = rnd.nextInt(100);
      String k = key();
      String v = "v" + (unique++) + ";"; // delimited: no value is a substring of another
      if (r < 30) {
        return new KvInput.Get(k);
      } else if (r < 45) {
        return new KvInput.Put(k, v);
      } else if (r < 55) {
        return new KvInput.Append(k, v);
      } else if (r < 70) {
        return new KvInput.AppendReturningOld(k, v);
      } else if (r < 77 && !lab) {
        return new KvInput.Delete(k);
      } else if (r < 87 && !lab) {
        String cur = store.get(k);
        String expected = rnd.nextBoolean() ? cur : rnd.nextBoolean() ? null : "v" + rnd.nextInt(unique) + ";";
        return new KvInput.Cas(k, expected, v);
      } else if (r < 93 && scans) {
        String a = key();
        String b = key();
        return new KvInput.Scan(a.compareTo(b) <= 0 ? a : b, a.compareTo(b) <= 0 ? b : a, rnd.nextInt(4));
      }
      return new KvInput.Get(k);
    }

    private KvOutput apply(KvInput in) {
      if (in instanceof KvInput.Get g) {
        String v = store.get(g.key());
        return v == null ? (lab ? KvOutput.value("") : KvOutput.NO_KEY) : KvOutput.value(v);
      } else if (in instanceof KvInput.Put p) {
        store.put(p.key(), p.value());
        return KvOutput.DONE;
      } else if (in instanceof KvInput.Append a) {
        store.merge(a.key(), a.value(), String::concat);
        return KvOutput.DONE;
      } else if (in instanceof KvInput.AppendReturningOld a) {
        String old = store.get(a.key());
        store.merge(a.key(), a.value(), String::concat);
        return old == null ? (lab ? KvOutput.value("") : KvOutput.NO_KEY) : KvOutput.value(old);
      } else if (in instanceof KvInput.Delete d) {
        store.remove(d.key());
        return KvOutput.DONE;
      } else if (in instanceof KvInput.Cas c) {
        String cur = store.get(c.key());
        boolean ok = c.expected() == null ? cur == null : c.expected().equals(cur);
        if (ok) {
          store.put(c.key(), c.value());
        }
        return KvOutput.CasResult.of(ok, cur);
      } else if (in instanceof KvInput.Scan s) {
        List<KvOutput.KeyValue> got = new ArrayList<>();
        for (Map.Entry<String, String> e : store.subMap(s.from(), true, s.to(), false).entrySet()) {
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

  @Test
  void largeLabStyleHistoryIsLinearizable(long seed) {
    List<Operation<KvInput, KvOutput>> h = new Generator(seed, 8, 20, false, true).generate(50_000);
    CheckResult<KvInput, KvOutput> r = Linearizability.assertLinearizable(KvModel.lab(), h);
    log.info("lab-style: {} ({} steps/s)", r.summary(), r.steps() * 1000 / Math.max(1, r.elapsed().toMillis()));
  }

  @Test
  void largeMixedHistoryWithScansIsLinearizable(long seed) {
    List<Operation<KvInput, KvOutput>> h = new Generator(seed, 6, 12, true, false).generate(20_000);
    CheckResult<KvInput, KvOutput> r = Linearizability.assertLinearizable(KvModel.strict(), h);
    log.info("mixed: {}", r.summary());
  }

  @Test
  void readOfANeverWrittenValueIsFound(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int round = 0; round < 3; round++) {
      List<Operation<KvInput, KvOutput>> h = new Generator(rnd.nextLong(), 6, 10, false, false).generate(10_000);
      int i = pick(rnd, h, op -> op.input() instanceof KvInput.Get && !op.isPending());
      Operation<KvInput, KvOutput> op = h.get(i);
      h.set(i, Operation.completed(op.clientId(), op.input(), KvOutput.value("never written"), op.call(), op.ret()));
      assertIllegal(KvModel.strict(), h);
    }
  }

  @Test
  void staleReadIsFound(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int found = 0;
    for (int round = 0; found < 3 && round < 50; round++) {
      List<Operation<KvInput, KvOutput>> h = new Generator(rnd.nextLong(), 6, 10, false, false).generate(10_000);
      // A Put(k, v) overwritten by a Put(k, w) that returned before some later Get(k) was called:
      // make that Get return v. Values are unique, so v can never be current again.
      for (int tries = 0; tries < 100; tries++) {
        int g = pick(rnd, h, op -> op.input() instanceof KvInput.Get && !op.isPending());
        Operation<KvInput, KvOutput> get = h.get(g);
        String key = ((KvInput.Get) get.input()).key();
        List<Operation<KvInput, KvOutput>> puts = h.stream().filter(op -> op.input() instanceof KvInput.Put p
            && p.key().equals(key) && !op.isPending() && op.ret() < get.call()).toList();
        Operation<KvInput, KvOutput> overwritten = null;
        Operation<KvInput, KvOutput> overwriter = null;
        for (Operation<KvInput, KvOutput> p1 : puts) {
          for (Operation<KvInput, KvOutput> p2 : puts) {
            if (p2.call() > p1.ret()) {
              overwritten = p1;
              overwriter = p2;
            }
          }
        }
        if (overwriter != null) {
          String stale = ((KvInput.Put) overwritten.input()).value();
          h.set(g, Operation.completed(get.clientId(), get.input(), KvOutput.value(stale), get.call(), get.ret()));
          assertIllegal(KvModel.strict(), h);
          found++;
          break;
        }
      }
    }
    assertEquals(3, found, "generator produced too few stale-read candidates");
  }

  @Test
  void lostAppendIsFound(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int found = 0;
    for (int round = 0; found < 3 && round < 50; round++) {
      List<Operation<KvInput, KvOutput>> h = new Generator(rnd.nextLong(), 6, 10, false, true).generate(10_000);
      // Drop an append whose unique value a later completed read returned.
      for (int tries = 0; tries < 100; tries++) {
        int a = pick(rnd, h, op -> op.input() instanceof KvInput.Append && !op.isPending());
        KvInput.Append app = (KvInput.Append) h.get(a).input();
        boolean observed = h.stream().anyMatch(op -> op.input() instanceof KvInput.Get g
            && g.key().equals(app.key()) && op.output() instanceof KvOutput.Value v
            && v.value().contains(app.value()));
        if (observed) {
          h.remove(a);
          assertIllegal(KvModel.lab(), h);
          found++;
          break;
        }
      }
    }
    assertEquals(3, found, "generator produced too few observed appends");
  }

  @Test
  void corruptedScanIsFound(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Operation<KvInput, KvOutput>> h = new Generator(seed, 6, 12, true, false).generate(5_000);
    int i = pick(rnd, h, op -> op.output() instanceof KvOutput.Scanned s && !s.entries().isEmpty());
    Operation<KvInput, KvOutput> op = h.get(i);
    List<KvOutput.KeyValue> entries = new ArrayList<>(((KvOutput.Scanned) op.output()).entries());
    // A value that was never written (values are unique, so this cannot be a legal read).
    int victim = rnd.nextInt(entries.size());
    entries.set(victim, new KvOutput.KeyValue(entries.get(victim).key(), "never written"));
    h.set(i, Operation.completed(op.clientId(), op.input(), new KvOutput.Scanned(entries), op.call(), op.ret()));
    assertIllegal(KvModel.strict(), h);
  }

  private static void assertIllegal(KvModel model, List<Operation<KvInput, KvOutput>> h) {
    CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(model, h);
    log.info("mutated: {}", r.summary());
    assertEquals(Outcome.ILLEGAL, r.outcome(), r.summary());
    assertTrue(r.smallestFailure().isPresent());
  }

  private static int pick(SplittableRandom rnd, List<Operation<KvInput, KvOutput>> h,
      java.util.function.Predicate<Operation<KvInput, KvOutput>> p) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      if (p.test(h.get(i))) {
        candidates.add(i);
      }
    }
    assertTrue(!candidates.isEmpty(), "no candidate operation");
    return candidates.get(rnd.nextInt(candidates.size()));
  }
}
