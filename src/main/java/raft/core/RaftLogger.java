package raft.core;

/**
 * The core's logging port. Implementations stamp every line with group, peer and the given
 * term, so a scenario reads like a story: {@code [g1 p2 t5] p2 became leader at term 5}.
 */
public interface RaftLogger {
  boolean isDebugEnabled();

  void debug(long term, String message);

  void info(long term, String message);

  void warn(long term, String message);

  /** Discards everything; for benchmarks and property tests that run millions of steps. */
  RaftLogger SILENT = new RaftLogger() {
    @Override public boolean isDebugEnabled() { return false; }
    @Override public void debug(long term, String message) {}
    @Override public void info(long term, String message) {}
    @Override public void warn(long term, String message) {}
  };
}
