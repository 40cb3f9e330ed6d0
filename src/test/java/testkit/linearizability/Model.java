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

  /**
   * Operations that never change the state; pending ones are dropped before the search. The search
   * also linearizes a read-only operation as soon as it is legal, without trying the alternatives
   * (moving a read to the front of any linearization keeps it valid), so this must be exact.
   */
  default boolean isReadOnly(I input) {
    return false;
  }

  /**
   * Whether an operation's output pins down the state it ran in (a read with its value), so that
   * {@link #mayReach} can rule out search states early. Default: none does.
   */
  default boolean observes(I input, O output) {
    return false;
  }

  /**
   * Lookahead pruning: may some sequence of operations drawn from {@code earlier} (each at most once,
   * in any order, possibly none) take {@code state} to one in which the observing operation
   * ({@link #observes} is true for it) returns {@code output}? {@code earlier} holds every operation
   * that may still precede the observer (and possibly more, the observer itself included); it is only
   * valid during the call. Must answer {@code true} unless that is impossible: a wrong {@code false}
   * makes the checker report a linearizable history as illegal. Default: {@code true} (no pruning).
   */
  default boolean mayReach(S state, I input, O output, List<I> earlier) {
    return true;
  }

  /**
   * Forgetting (optional): a state from which exactly the same continuations are legal as from
   * {@code state}, given that only {@code remaining} (the operations not yet linearized) can follow.
   * The memo then merges states that differ in what no remaining operation can see, e.g. a value
   * that every remaining read would only see after some write replaced it. Default: the state itself.
   *
   * @param remaining valid only during the call
   */
  default S forget(S state, Iterable<Operation<I, O>> remaining) {
    return state;
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
