package testkit.linearizability;

/**
 * One operation of a history (Porcupine's {@code Operation}): who issued it, what it asked, what it
 * got back, and when it was called and returned (nanoseconds from one monotonic clock).
 *
 * <p>A <em>pending</em> operation was called but never returned ({@link #ret} is
 * {@link Long#MAX_VALUE}, {@link #output} is {@code null}): it may or may not have taken effect, at
 * any time after its call. A {@code null} output on a completed operation means "not observed":
 * the model accepts any output for it.
 */
public record Operation<I, O>(int clientId, I input, O output, long call, long ret) {
  public static final long NEVER = Long.MAX_VALUE;

  public Operation {
    if (input == null) {
      throw new IllegalArgumentException("operation without input");
    }
    if (ret < call) {
      throw new IllegalArgumentException("operation returns (" + ret + ") before its call (" + call + ")");
    }
  }

  public static <I, O> Operation<I, O> completed(int clientId, I input, O output, long call, long ret) {
    return new Operation<>(clientId, input, output, call, ret);
  }

  public static <I, O> Operation<I, O> pending(int clientId, I input, long call) {
    return new Operation<>(clientId, input, null, call, NEVER);
  }

  public boolean isPending() {
    return ret == NEVER;
  }
}
