package testkit.linearizability;

import java.util.List;

/**
 * The definition of linearizability, executed: tries every order of the operations that respects
 * real time (an operation that returned before another was called comes first), each pending
 * operation either placed somewhere after its call or left out, and applies it to the model step by
 * step. No partitioning, no memo, no pruning: exponential, for histories of a handful of operations,
 * as the reference the fast checker is compared against.
 */
final class BruteForce {
  /** Beyond this the search takes too long to be a test oracle. */
  static final int MAX_OPERATIONS = 9;

  private BruteForce() {}

  static <S, I, O> boolean isLinearizable(Model<S, I, O> model, List<Operation<I, O>> history) {
    if (history.size() > MAX_OPERATIONS) {
      throw new IllegalArgumentException("brute force is for at most " + MAX_OPERATIONS + " operations, not "
          + history.size());
    }
    return extend(model, history, model.init(), 0);
  }

  /** Can the operations not in {@code placed} (a bit set) follow, starting in {@code state}? */
  private static <S, I, O> boolean extend(Model<S, I, O> model, List<Operation<I, O>> h, S state, int placed) {
    boolean allCompletedPlaced = true;
    for (int i = 0; i < h.size(); i++) {
      if ((placed & (1 << i)) == 0 && !h.get(i).isPending()) {
        allCompletedPlaced = false;
      }
    }
    if (allCompletedPlaced) {
      return true; // the pending operations left are the ones that never took effect
    }
    for (int i = 0; i < h.size(); i++) {
      if ((placed & (1 << i)) != 0 || !mayGoNext(h, placed, i)) {
        continue;
      }
      Operation<I, O> op = h.get(i);
      S after = model.step(state, op.input(), op.output());
      if (after != null && extend(model, h, after, placed | (1 << i))) {
        return true;
      }
    }
    return false;
  }

  /** No operation still to place returned before {@code i} was called. */
  private static <I, O> boolean mayGoNext(List<Operation<I, O>> h, int placed, int i) {
    for (int j = 0; j < h.size(); j++) {
      if ((placed & (1 << j)) == 0 && j != i && h.get(j).ret() < h.get(i).call()) {
        return false;
      }
    }
    return true;
  }
}
