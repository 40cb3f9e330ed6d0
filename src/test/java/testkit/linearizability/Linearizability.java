package testkit.linearizability;

import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import testkit.linearizability.CheckResult.Outcome;

/** Assertions for tests: a history must be LINEARIZABLE; ILLEGAL and UNKNOWN both fail, loudly. */
public final class Linearizability {
  private static final Logger log = LoggerFactory.getLogger(Linearizability.class);

  private Linearizability() {}

  /** Checks a KV history with the strict model (a missing key differs from ""). */
  public static CheckResult<KvInput, KvOutput> assertLinearizable(List<Operation<KvInput, KvOutput>> history) {
    return assertLinearizable(KvModel.strict(), history);
  }

  public static <S, I, O> CheckResult<I, O> assertLinearizable(Model<S, I, O> model, List<Operation<I, O>> history) {
    return assertLinearizable(model, history, LinearizabilityChecker.Options.defaults());
  }

  public static <S, I, O> CheckResult<I, O> assertLinearizable(
      Model<S, I, O> model, List<Operation<I, O>> history, LinearizabilityChecker.Options options) {
    CheckResult<I, O> result = LinearizabilityChecker.check(model, history, options);
    log.info("linearizability check {}", result.summary());
    if (result.outcome() == Outcome.LINEARIZABLE) {
      return result;
    }
    String name = callerName();
    Path page = HistoryHtml.write(name, model, result);
    CheckResult.PartitionReport<I, O> worst = result.smallestFailure().orElseThrow();
    String why = result.outcome() == Outcome.ILLEGAL
        ? "history is not linearizable"
        : "linearizability check UNKNOWN: budget (" + options.maxSteps() + " steps, " + options.timeout().toSeconds()
            + " s) exhausted before a decision; an undecided history is a failure, never a pass";
    throw new AssertionError(why + ": partition " + worst.label() + " (" + worst.operations().size()
        + " operations, longest linearizable prefix " + worst.longestPrefix().size() + "); " + result.summary()
        + "; visualization: " + page);
  }

  /** "TestClass-testMethod" of the test that asked, for the HTML file name. */
  private static String callerName() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> !f.getClassName().equals(Linearizability.class.getName()))
        .filter(f -> !f.getClassName().startsWith("org.junit.") && !f.getClassName().startsWith("java."))
        .findFirst()
        .map(f -> {
          String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
          String method = f.getMethodName();
          if (method.startsWith("lambda$")) {
            String[] parts = method.split("\\$");
            method = parts.length > 1 ? parts[1] : method;
          }
          return cls + "-" + method;
        })
        .orElse("history"));
  }
}
