package raft.core;

/**
 * The core's logging port. Implementations stamp every line with group, peer and the given
 * term, so a scenario reads like a story: {@code [g1 p2 t5] p2 became leader at term 5}.
 *
 * <p>Lines are lazy: {@code format} has SLF4J-style {@code {}} placeholders, and an implementation
 * formats (calls {@code toString()}, or {@code describe()} of a {@link raft.Describable}) only
 * for a level that is on. Callers pass values, never strings built with {@code +}.
 */
public interface RaftLogger {
  boolean isDebugEnabled();

  void debug(long term, String format, Object... args);

  void info(long term, String format, Object... args);

  void warn(long term, String format, Object... args);

  /** Discards everything; for benchmarks and property tests that run millions of steps. */
  RaftLogger SILENT = new RaftLogger() {
    @Override public boolean isDebugEnabled() { return false; }
    @Override public void debug(long term, String format, Object... args) {}
    @Override public void info(long term, String format, Object... args) {}
    @Override public void warn(long term, String format, Object... args) {}
  };
}
