package raft;

/**
 * Tunables of one Raft peer, in ticks and counts (never wall time: the caller decides how long a
 * tick is). {@link #validate()} rejects nonsense at start instead of misbehaving later.
 *
 * @param electionTicks base election timeout; each peer waits a random [n, 2n) ticks
 * @param heartbeatTicks leader heartbeat interval; must be well below electionTicks
 * @param maxBytesPerAppend upper bound on entry bytes in one AppendEntries (at least one entry is sent)
 * @param maxInflightAppends AppendEntries a leader pipelines to one follower before waiting for acks
 * @param maxCommandBytes largest command accepted by propose
 * @param unsafeRule TEST ONLY, always {@link UnsafeRule#NONE} outside the simulator's bug-injection test
 */
public record RaftConfig(
    int electionTicks,
    int heartbeatTicks,
    long maxBytesPerAppend,
    int maxInflightAppends,
    int maxCommandBytes,
    UnsafeRule unsafeRule) {

  public static final int DEFAULT_MAX_COMMAND_BYTES = 1 << 20;

  /**
   * A deliberately WRONG protocol rule, switched on only by the deterministic simulator's
   * bug-injection test to prove that its invariant checker catches real safety violations
   * (e.g. the paper's Figure 8). It exists for that test alone and must never be set in
   * production: every value but {@link #NONE} breaks Raft's safety guarantees.
   */
  public enum UnsafeRule {
    /** The correct protocol. */
    NONE,
    /** The leader commits entries of earlier terms by counting replicas (no {@code term == currentTerm} check; Figure 8). */
    COMMIT_OLD_TERM_BY_COUNTING,
    /** A voter grants its vote without the candidate's log being at least as up to date (§5.4.1). */
    VOTE_WITHOUT_LOG_CHECK
  }

  public RaftConfig {
    if (unsafeRule == null) unsafeRule = UnsafeRule.NONE;
  }

  /** The correct protocol with these tunables. */
  public RaftConfig(int electionTicks, int heartbeatTicks, long maxBytesPerAppend, int maxInflightAppends,
      int maxCommandBytes) {
    this(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, UnsafeRule.NONE);
  }

  public static RaftConfig defaults() {
    return new RaftConfig(10, 1, 1 << 20, 256, DEFAULT_MAX_COMMAND_BYTES);
  }

  public RaftConfig withElectionTicks(int ticks) {
    return new RaftConfig(ticks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, unsafeRule);
  }

  public RaftConfig withHeartbeatTicks(int ticks) {
    return new RaftConfig(electionTicks, ticks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, unsafeRule);
  }

  public RaftConfig withMaxBytesPerAppend(long bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, bytes, maxInflightAppends, maxCommandBytes, unsafeRule);
  }

  public RaftConfig withMaxInflightAppends(int n) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, n, maxCommandBytes, unsafeRule);
  }

  public RaftConfig withMaxCommandBytes(int bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, bytes, unsafeRule);
  }

  /** TEST ONLY: see {@link UnsafeRule}; never call this outside the simulator's bug-injection test. */
  public RaftConfig withUnsafeRule(UnsafeRule rule) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, rule);
  }

  /** Returns this config, or throws {@link IllegalArgumentException} naming the bad setting. */
  public RaftConfig validate() {
    if (heartbeatTicks < 1) throw new IllegalArgumentException("heartbeatTicks must be >= 1, was " + heartbeatTicks);
    if (electionTicks <= heartbeatTicks)
      throw new IllegalArgumentException(
          "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
    if (maxBytesPerAppend < 1) throw new IllegalArgumentException("maxBytesPerAppend must be >= 1");
    if (maxInflightAppends < 1) throw new IllegalArgumentException("maxInflightAppends must be >= 1");
    if (maxCommandBytes < 1) throw new IllegalArgumentException("maxCommandBytes must be >= 1");
    return this;
  }
}
