package node;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repeats an asynchronous call on the system's scheduler until its answer passes a check (a
 * bootstrap Create until Running, a drained group until its shards are gone). Calls that throw or
 * fail count as answers that do not pass.
 */
final class Retry {
  private Retry() {}

  /**
   * @return the first answer that passes {@code done}; fails with the last answer or error once
   *     {@code deadline} (null: none) has passed
   */
  static <T> CompletableFuture<T> until(ActorSystem<?> system, Supplier<CompletionStage<T>> call, Predicate<T> done,
      Duration interval, Duration deadline, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long end = deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.toNanos();
    attempt(system, call, done, interval, end, what, result);
    return result;
  }

  private static <T> void attempt(ActorSystem<?> system, Supplier<CompletionStage<T>> call, Predicate<T> done,
      Duration interval, long end, String what, CompletableFuture<T> result) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((answer, error) -> {
      if (error == null && done.test(answer)) {
        result.complete(answer);
      } else if (System.nanoTime() > end || system.getWhenTerminated().toCompletableFuture().isDone()) {
        result.completeExceptionally(new IllegalStateException(what + " did not succeed in time; last: "
            + (error != null ? error : answer), error));
      } else {
        system.scheduler().scheduleOnce(interval, () -> attempt(system, call, done, interval, end, what, result),
            system.executionContext());
      }
    });
  }
}
