package testkit.linearizability;

import java.util.List;

/**
 * A sequential specification: an initial state and a step function, as in Porcupine's {@code Model}.
 * States must be immutable values with {@code equals}/{@code hashCode} (the checker caches them).
 *
 * @param <S> state
 * @param <I> operation input
 * @param <O> operation output
 */
public interface Model<S, I, O> {

  /**
   * Splits a history into independently checkable parts (P-compositionality). The default is one
   * partition holding everything. Each partition may carry its own specialized model.
   */
  default List<Partition<S, I, O>> partition(List<Operation<I, O>> history) {
    return List.of(new Partition<>(this, history, "all"));
  }

  S init();

  /**
   * The state after applying {@code input} to {@code state}, or {@code null} if the operation cannot
   * return {@code output} in that state. A {@code null} output means "unknown" (pending): any output
   * is accepted and only the effect is computed.
   */
  S step(S state, I input, O output);

  /** Operations that never change the state; pending ones are dropped before the search. */
  default boolean isReadOnly(I input) {
    return false;
  }

  default String describeOperation(I input, O output) {
    return input + (output == null ? " -> ?" : " -> " + output);
  }

  default String describeState(S state) {
    return String.valueOf(state);
  }

  /** A part of a history checked on its own, with the model that checks it. */
  record Partition<S, I, O>(Model<S, I, O> model, List<Operation<I, O>> operations, String label) {}
}
