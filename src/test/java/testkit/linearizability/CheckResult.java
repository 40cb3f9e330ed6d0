package testkit.linearizability;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on a whole history and on each of its partitions.
 *
 * @param history the operations checked (pending read-only ones included)
 * @param partitions the partitions searched
 * @param unchecked partitions not searched because another one was already found ILLEGAL
 * @param steps search steps over all partitions
 * @param states search states memoized over all partitions (the memory the search used)
 */
public record CheckResult<I, O>(
    Outcome outcome, List<Operation<I, O>> history, List<PartitionReport<I, O>> partitions, int unchecked,
    long steps, long states, Duration elapsed) {

  public enum Outcome {
    /** Every partition has a linearization. */
    LINEARIZABLE,
    /** Some partition has none: the search was exhausted. */
    ILLEGAL,
    /** The budget ran out before the search decided; callers must treat this as a failure. */
    UNKNOWN
  }

  /**
   * One partition's verdict.
   *
   * @param longestPrefix the longest partial linearization found (positions in {@code operations}), in
   *     linearization order; empty when the partition is linearizable
   * @param stuckAt the operation (position in {@code operations}) that had returned but could not be
   *     linearized after that prefix, or -1
   * @param stateAfterPrefix the model state after the longest prefix, described
   * @param states search states memoized (linearized set and model state pairs)
   */
  public record PartitionReport<I, O>(
      String label, List<Operation<I, O>> operations, Outcome outcome, long steps, long states,
      List<Integer> longestPrefix,
      int stuckAt, String stateAfterPrefix) {}

  /** The smallest partition that is ILLEGAL (or, failing that, UNKNOWN). */
  public Optional<PartitionReport<I, O>> smallestFailure() {
    Comparator<PartitionReport<I, O>> bySize = Comparator.comparingInt(p -> p.operations().size());
    Optional<PartitionReport<I, O>> illegal = partitions.stream()
        .filter(p -> p.outcome() == Outcome.ILLEGAL).min(bySize);
    return illegal.isPresent() ? illegal
        : partitions.stream().filter(p -> p.outcome() == Outcome.UNKNOWN).min(bySize);
  }

  public String summary() {
    long illegal = partitions.stream().filter(p -> p.outcome() == Outcome.ILLEGAL).count();
    long unknown = partitions.stream().filter(p -> p.outcome() == Outcome.UNKNOWN).count();
    return outcome + ": " + history.size() + " operations in " + (partitions.size() + unchecked) + " partitions ("
        + illegal + " illegal, " + unknown + " unknown" + (unchecked > 0 ? ", " + unchecked + " not searched" : "")
        + "), " + steps + " steps, " + states + " states in " + elapsed.toMillis() + " ms";
  }
}
