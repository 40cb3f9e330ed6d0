package testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import testkit.linearizability.CheckResult.Outcome;
import testkit.linearizability.KvInput.Append;
import testkit.linearizability.KvInput.AppendReturningOld;
import testkit.linearizability.KvInput.Cas;
import testkit.linearizability.KvInput.Delete;
import testkit.linearizability.KvInput.Get;
import testkit.linearizability.KvInput.Put;
import testkit.linearizability.KvInput.Scan;
import testkit.linearizability.KvOutput.CasResult;
import testkit.linearizability.KvOutput.KeyValue;
import testkit.linearizability.KvOutput.Scanned;

/** Hand-built histories with a known verdict. Times are small integers; [call, return]. */
class LinearizabilityCheckerTest {

  /** A tiny history builder. */
  private static final class H {
    final List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();

    H op(int client, long call, long ret, KvInput in, KvOutput out) {
      ops.add(Operation.completed(client, in, out, call, ret));
      return this;
    }

    H pending(int client, long call, KvInput in) {
      ops.add(Operation.pending(client, in, call));
      return this;
    }

    Outcome strict() {
      return LinearizabilityChecker.check(KvModel.strict(), ops).outcome();
    }

    Outcome lab() {
      return LinearizabilityChecker.check(KvModel.lab(), ops).outcome();
    }
  }

  private static KvOutput v(String s) {
    return KvOutput.value(s);
  }

  private static final KvOutput OK = KvOutput.DONE;
  private static final KvOutput NONE = KvOutput.NO_KEY;

  @Test
  void sequentialPutGetIsLinearizable() {
    H h = new H()
        .op(1, 0, 10, new Put("x", "1"), OK)
        .op(1, 20, 30, new Get("x"), v("1"))
        .op(2, 40, 50, new Append("x", "2"), OK)
        .op(2, 60, 70, new Get("x"), v("12"))
        .op(1, 80, 90, new Get("y"), NONE);
    assertEquals(Outcome.LINEARIZABLE, h.strict());
  }

  @Test
  void staleReadAfterCompletedPutIsIllegal() {
    H h = new H()
        .op(1, 0, 10, new Put("x", "1"), OK)
        .op(1, 20, 30, new Put("x", "2"), OK)
        .op(2, 40, 50, new Get("x"), v("1"));
    assertEquals(Outcome.ILLEGAL, h.strict());
    assertEquals(Outcome.ILLEGAL, h.lab());
  }

  @Test
  void readConcurrentWithPutMaySeeEitherValue() {
    H old = new H().op(1, 0, 10, new Put("x", "1"), OK).op(1, 20, 40, new Put("x", "2"), OK)
        .op(2, 25, 35, new Get("x"), v("1"));
    H fresh = new H().op(1, 0, 10, new Put("x", "1"), OK).op(1, 20, 40, new Put("x", "2"), OK)
        .op(2, 25, 35, new Get("x"), v("2"));
    assertEquals(Outcome.LINEARIZABLE, old.strict());
    assertEquals(Outcome.LINEARIZABLE, fresh.strict());
  }

  @Test
  void lostAppendIsIllegal() {
    H h = new H()
        .op(1, 0, 10, new Append("k", "a"), OK)
        .op(2, 20, 30, new Append("k", "b"), OK)
        .op(1, 40, 50, new Get("k"), v("b"));
    assertEquals(Outcome.ILLEGAL, h.lab());
    H old = new H()
        .op(1, 0, 10, new AppendReturningOld("k", "a"), v(""))
        .op(2, 20, 30, new AppendReturningOld("k", "b"), v(""));
    assertEquals(Outcome.ILLEGAL, old.lab(), "second append must see the first one");
  }

  @Test
  void readOfAValueNeverWrittenIsIllegal() {
    H h = new H()
        .op(1, 0, 10, new Put("k", "a"), OK)
        .op(2, 5, 15, new Get("k"), v("zzz"));
    assertEquals(Outcome.ILLEGAL, h.strict());
  }

  @Test
  void pendingWriteMayTakeEffectAnyTimeAfterItsCall() {
    H tookEffect = new H()
        .pending(1, 5, new Put("x", "1"))
        .op(2, 20, 30, new Get("x"), v("1"));
    H notYet = new H()
        .pending(1, 5, new Put("x", "1"))
        .op(2, 10, 15, new Get("x"), NONE)
        .op(2, 20, 30, new Get("x"), v("1"));
    H never = new H()
        .pending(1, 5, new Put("x", "1"))
        .op(2, 10, 15, new Get("x"), NONE)
        .op(2, 100, 110, new Get("x"), NONE);
    assertEquals(Outcome.LINEARIZABLE, tookEffect.strict());
    assertEquals(Outcome.LINEARIZABLE, notYet.strict());
    assertEquals(Outcome.LINEARIZABLE, never.strict());
  }

  @Test
  void pendingWriteCannotBeUndoneNorActBeforeItsCall() {
    H undone = new H()
        .pending(1, 5, new Put("x", "1"))
        .op(2, 10, 15, new Get("x"), v("1"))
        .op(2, 20, 30, new Get("x"), NONE);
    H early = new H()
        .op(2, 10, 15, new Get("x"), v("1"))
        .pending(1, 50, new Put("x", "1"));
    assertEquals(Outcome.ILLEGAL, undone.strict());
    assertEquals(Outcome.ILLEGAL, early.strict());
  }

  @Test
  void pendingReadsAreIgnoredAndPendingAppendsApplyAtMostOnce() {
    H h = new H()
        .pending(3, 0, new Get("k"))
        .pending(1, 0, new Append("k", "a"))
        .op(2, 10, 20, new Get("k"), v("a"))
        .op(2, 30, 40, new Get("k"), v("a"));
    assertEquals(Outcome.LINEARIZABLE, h.lab());
    h.op(2, 50, 60, new Get("k"), v("aa"));
    assertEquals(Outcome.ILLEGAL, h.lab());
  }

  @Test
  void missingKeyDiffersFromEmptyValueOnlyInStrictModel() {
    H deleted = new H()
        .op(1, 0, 10, new Put("k", "v"), OK)
        .op(1, 20, 30, new Delete("k"), OK)
        .op(1, 40, 50, new Get("k"), v(""));
    assertEquals(Outcome.ILLEGAL, deleted.strict());
    assertEquals(Outcome.LINEARIZABLE, deleted.lab());
    H emptyPut = new H()
        .op(1, 0, 10, new Put("k", ""), OK)
        .op(1, 20, 30, new Get("k"), NONE);
    assertEquals(Outcome.ILLEGAL, emptyPut.strict());
    assertEquals(Outcome.LINEARIZABLE, emptyPut.lab());
    H neverWritten = new H().op(1, 0, 10, new Get("k"), v(""));
    assertEquals(Outcome.ILLEGAL, neverWritten.strict());
    assertEquals(Outcome.LINEARIZABLE, neverWritten.lab());
  }

  @Test
  void deleteIsOrderedLikeAnyWrite() {
    H h = new H()
        .op(1, 0, 10, new Put("k", "v"), OK)
        .op(1, 20, 30, new Delete("k"), OK)
        .op(2, 40, 50, new Get("k"), v("v"));
    assertEquals(Outcome.ILLEGAL, h.strict());
    H concurrent = new H()
        .op(1, 0, 10, new Put("k", "v"), OK)
        .op(1, 20, 60, new Delete("k"), OK)
        .op(2, 30, 40, new Get("k"), v("v"))
        .op(2, 45, 50, new Get("k"), NONE);
    assertEquals(Outcome.LINEARIZABLE, concurrent.strict());
  }

  @Test
  void twoConcurrentCasFromAbsentCannotBothSucceed() {
    H both = new H()
        .op(1, 0, 20, new Cas("lock", null, "a"), CasResult.of(true))
        .op(2, 5, 25, new Cas("lock", null, "b"), CasResult.of(true));
    assertEquals(Outcome.ILLEGAL, both.strict());
    H one = new H()
        .op(1, 0, 20, new Cas("lock", null, "a"), CasResult.of(true))
        .op(2, 5, 25, new Cas("lock", null, "b"), CasResult.of(false, "a"))
        .op(3, 30, 40, new Get("lock"), v("a"));
    assertEquals(Outcome.LINEARIZABLE, one.strict());
    H wrongWinner = new H()
        .op(1, 0, 20, new Cas("lock", null, "a"), CasResult.of(true))
        .op(2, 5, 25, new Cas("lock", null, "b"), CasResult.of(false, "a"))
        .op(3, 30, 40, new Get("lock"), v("b"));
    assertEquals(Outcome.ILLEGAL, wrongWinner.strict());
  }

  @Test
  void casReportingOnlyTheCurrentValue() {
    H h = new H()
        .op(1, 0, 10, new Put("k", "1"), OK)
        .op(2, 20, 30, new Cas("k", "1", "2"), CasResult.currentOnly("1"))
        .op(2, 40, 50, new Cas("k", "1", "3"), CasResult.currentOnly("2"))
        .op(1, 60, 70, new Get("k"), v("2"));
    assertEquals(Outcome.LINEARIZABLE, h.strict());
    h.op(1, 80, 90, new Cas("k", "2", "4"), CasResult.of(false));
    assertEquals(Outcome.ILLEGAL, h.strict());
  }

  @Test
  void scanSeesAConsistentCutOfItsRange() {
    H before = new H()
        .op(1, 0, 10, new Put("a", "1"), OK)
        .op(1, 20, 30, new Put("b", "2"), OK)
        .op(2, 5, 40, new Scan("a", "c", 0), new Scanned(List.of(new KeyValue("a", "1"))));
    assertEquals(Outcome.LINEARIZABLE, before.strict());
    H torn = new H()
        .op(1, 0, 10, new Put("a", "1"), OK)
        .op(1, 20, 30, new Put("b", "2"), OK)
        .op(2, 5, 40, new Scan("a", "c", 0), new Scanned(List.of(new KeyValue("b", "2"))));
    assertEquals(Outcome.ILLEGAL, torn.strict(), "b was written after a: seeing b means seeing a");
  }

  @Test
  void scanRespectsRangeLimitAndOrder() {
    H h = new H()
        .op(1, 0, 10, new Put("a", "1"), OK)
        .op(1, 11, 20, new Put("b", "2"), OK)
        .op(1, 21, 30, new Put("c", "3"), OK)
        .op(1, 31, 40, new Put("z", "9"), OK);
    H limited = copy(h).op(2, 50, 60, new Scan("a", "d", 2),
        new Scanned(List.of(new KeyValue("a", "1"), new KeyValue("b", "2"))));
    H skipped = copy(h).op(2, 50, 60, new Scan("a", "d", 2),
        new Scanned(List.of(new KeyValue("a", "1"), new KeyValue("c", "3"))));
    H outside = copy(h).op(2, 50, 60, new Scan("b", "c", 0),
        new Scanned(List.of(new KeyValue("b", "2"), new KeyValue("c", "3"))));
    H ghost = copy(h).op(2, 50, 60, new Scan("a", null, 0), new Scanned(List.of(new KeyValue("a", "1"),
        new KeyValue("b", "2"), new KeyValue("c", "3"), new KeyValue("q", "?"), new KeyValue("z", "9"))));
    H empty = copy(h).op(2, 50, 60, new Scan("d", "y", 0), new Scanned(List.of()));
    assertEquals(Outcome.LINEARIZABLE, limited.strict());
    assertEquals(Outcome.ILLEGAL, skipped.strict());
    assertEquals(Outcome.ILLEGAL, outside.strict());
    assertEquals(Outcome.ILLEGAL, ghost.strict());
    assertEquals(Outcome.LINEARIZABLE, empty.strict());
  }

  @Test
  void scansJoinTheKeysOfTheirRangeIntoOnePartition() {
    H h = new H()
        .op(1, 0, 10, new Put("a", "1"), OK)
        .op(1, 11, 20, new Put("b", "2"), OK)
        .op(1, 21, 30, new Put("c", "3"), OK)
        .op(1, 31, 40, new Put("x", "9"), OK)
        .op(2, 50, 60, new Scan("a", "c", 0), new Scanned(List.of(new KeyValue("a", "1"), new KeyValue("b", "2"))))
        .op(2, 61, 70, new Scan("m", "n", 0), new Scanned(List.of()));
    List<String> labels = KvModel.strict().partition(h.ops).stream().map(Model.Partition::label).sorted().toList();
    assertEquals(List.of("(no keys)", "key \"c\"", "key \"x\"", "keys \"a\"..\"b\" (2)"), labels);
    assertEquals(Outcome.LINEARIZABLE, h.strict());
  }

  @Test
  void concurrentWritesLinearizableInOnlyOneOrder() {
    H h = new H()
        .op(1, 0, 100, new Put("x", "1"), OK)
        .op(2, 0, 100, new Put("x", "2"), OK)
        .op(3, 110, 120, new Get("x"), v("2"))
        .op(3, 130, 140, new Get("x"), v("2"));
    assertEquals(Outcome.LINEARIZABLE, h.strict());
    H flip = new H()
        .op(1, 0, 100, new Put("x", "1"), OK)
        .op(2, 0, 100, new Put("x", "2"), OK)
        .op(3, 110, 120, new Get("x"), v("1"))
        .op(3, 130, 140, new Get("x"), v("2"));
    assertEquals(Outcome.ILLEGAL, flip.strict());
    H appends = new H()
        .op(1, 0, 100, new AppendReturningOld("k", "a"), v("b"))
        .op(2, 0, 100, new AppendReturningOld("k", "b"), v(""))
        .op(3, 110, 120, new Get("k"), v("ba"));
    assertEquals(Outcome.LINEARIZABLE, appends.lab());
    H wrongOrder = new H()
        .op(1, 0, 100, new AppendReturningOld("k", "a"), v("b"))
        .op(2, 0, 100, new AppendReturningOld("k", "b"), v(""))
        .op(3, 110, 120, new Get("k"), v("ab"));
    assertEquals(Outcome.ILLEGAL, wrongOrder.lab());
  }

  @Test
  void callsSortBeforeReturnsAtEqualTimes() {
    H h = new H()
        .op(1, 0, 10, new Put("x", "1"), OK)
        .op(2, 10, 20, new Get("x"), NONE);
    assertEquals(Outcome.LINEARIZABLE, h.strict(), "touching operations are concurrent");
  }

  @Test
  void labOpCodesMapToTheModel() {
    H h = new H()
        .op(0, 0, 10, KvInput.lab(1, "0", ""), OK)
        .op(0, 11, 20, KvInput.lab(3, "0", "x 0 0 y"), v(""))
        .op(0, 21, 30, KvInput.lab(2, "0", "x 0 1 y"), OK)
        .op(0, 31, 40, KvInput.lab(0, "0", ""), v("x 0 0 yx 0 1 y"));
    assertEquals(Outcome.LINEARIZABLE, h.lab());
  }

  @Test
  void violationWritesTheHistoryAsHtmlAndNamesItInTheFailure() throws Exception {
    H h = new H()
        .op(1, 0, 10, new Put("ok", "1"), OK)
        .op(1, 20, 30, new Get("ok"), v("1"))
        .op(1, 0, 10, new Put("x", "1"), OK)
        .op(1, 20, 30, new Put("x", "2"), OK)
        .op(2, 40, 50, new Get("x"), v("1"));
    AssertionError e = assertThrows(AssertionError.class, () -> Linearizability.assertLinearizable(h.ops));
    assertTrue(e.getMessage().contains("not linearizable"), e.getMessage());
    assertTrue(e.getMessage().contains("key \"x\""), e.getMessage());
    String path = e.getMessage().substring(e.getMessage().indexOf("visualization: ") + "visualization: ".length());
    Path page = Path.of(path);
    assertTrue(page.startsWith(HistoryHtml.directory()), path);
    String html = Files.readString(page);
    assertTrue(html.contains("Longest linearizable prefix: <b>2</b> of 3"), html);
    assertTrue(html.contains("class=\"op stuck\""), html);
  }

  @Test
  void budgetExhaustionIsUnknownAndFailsTheAssertion() {
    H h = new H();
    for (int i = 0; i < 200; i++) {
      h.op(i % 4, 2L * i, 2L * i + 1, new Append("k", "v" + i), OK);
    }
    CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(KvModel.lab(), h.ops,
        LinearizabilityChecker.Options.defaults().withMaxSteps(10));
    assertEquals(Outcome.UNKNOWN, r.outcome());
    AssertionError e = assertThrows(AssertionError.class, () -> Linearizability.assertLinearizable(KvModel.lab(), h.ops,
        new LinearizabilityChecker.Options(10, Duration.ofSeconds(10), 1)));
    assertTrue(e.getMessage().contains("UNKNOWN"), e.getMessage());
  }

  @Test
  void stateBudgetExhaustionIsUnknownNotOutOfMemory() {
    CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(KvModel.lab(), HardHistory.linearizable(1),
        LinearizabilityChecker.Options.defaults().withThreads(1).withMaxStates(50));
    assertEquals(Outcome.UNKNOWN, r.outcome(), r.summary());
  }

  @Test
  void theFirstIllegalPartitionEndsTheCheck() {
    H h = new H()
        .op(1, 0, 10, new Put("x", "1"), OK)
        .op(1, 20, 30, new Put("x", "2"), OK)
        .op(2, 40, 50, new Get("x"), v("1"))
        .op(1, 0, 10, new Put("y", "1"), OK)
        .op(2, 40, 50, new Get("y"), v("1"));
    CheckResult<KvInput, KvOutput> r = LinearizabilityChecker.check(KvModel.strict(), h.ops,
        LinearizabilityChecker.Options.defaults().withThreads(1));
    assertEquals(Outcome.ILLEGAL, r.outcome());
    assertEquals(1, r.partitions().size(), "x (the larger) is searched first and is illegal");
    assertEquals(1, r.unchecked());
    assertTrue(r.summary().contains("1 not searched"), r.summary());
  }

  private static H copy(H h) {
    H c = new H();
    c.ops.addAll(h.ops);
    return c;
  }
}
