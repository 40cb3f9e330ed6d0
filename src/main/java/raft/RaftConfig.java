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
 * @param preVote a peer whose election timer fires first asks for pre-votes without raising its
 *     term and campaigns only with a pre-vote majority (thesis §9.6), so a peer coming back from a
 *     partition never disrupts a stable leader
 * @param checkQuorum a leader that heard from no quorum within an election timeout steps down
 *     (etcd's CheckQuorum); the leader lease (higher-term (pre-)votes ignored while the leader is
 *     heard, thesis §4.2.3) holds whatever this flag says
 * @param noopOnElection a new leader appends an empty entry of its term, which commits the entries
 *     of earlier terms at once (thesis §6.4); off only where a test counts the indexes of commands
 *     (the MIT lab's tester)
 * @param learnerCatchUpEntries a learner is "caught up", and may be promoted, once its match index
 *     is within this many entries of the leader's last index
 * @param unsafeRule TEST ONLY, always {@link UnsafeRule#NONE} outside the simulator's bug-injection test
 */
public record RaftConfig(
    int electionTicks,
    int heartbeatTicks,
    long maxBytesPerAppend,
    int maxInflightAppends,
    int maxCommandBytes,
    boolean preVote,
    boolean checkQuorum,
    boolean noopOnElection,
    int learnerCatchUpEntries,
    UnsafeRule unsafeRule) {

  public static final int DEFAULT_MAX_COMMAND_BYTES = 1 << 20;
  public static final int DEFAULT_LEARNER_CATCH_UP_ENTRIES = 100;

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
    VOTE_WITHOUT_LOG_CHECK,
    /** A follower acknowledges appended entries before they are on its disk (its answers leave before the write). */
    ACK_BEFORE_WRITE,
    /** A vote is granted but never written: the hard state handed out keeps the old vote. */
    VOTE_NOT_PERSISTED,
    /** The leader accepts a membership change while another is still pending (not yet applied). */
    TWO_PENDING_CHANGES,
    /** A membership change takes effect when appended to the log instead of when applied. */
    CHANGE_ON_APPEND,
    /** The leader enters joint consensus again from a joint configuration, dropping the old outgoing voters. */
    ENTER_JOINT_TWICE,
    /** The leader releases a linearizable read at its commit index at once, without a heartbeat round confirming it still leads. */
    READ_WITHOUT_HEARTBEAT_ROUND
  }

  public RaftConfig {
    if (unsafeRule == null) unsafeRule = UnsafeRule.NONE;
  }

  /** The correct protocol with these tunables, pre-vote, check-quorum and the election no-op on. */
  public RaftConfig(int electionTicks, int heartbeatTicks, long maxBytesPerAppend, int maxInflightAppends,
      int maxCommandBytes) {
    this(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, UnsafeRule.NONE);
  }

  /** These tunables with pre-vote, check-quorum and the election no-op on. */
  public RaftConfig(int electionTicks, int heartbeatTicks, long maxBytesPerAppend, int maxInflightAppends,
      int maxCommandBytes, UnsafeRule unsafeRule) {
    this(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, true, true, true,
        DEFAULT_LEARNER_CATCH_UP_ENTRIES, unsafeRule);
  }

  public static RaftConfig defaults() {
    return new RaftConfig(10, 1, 1 << 20, 256, DEFAULT_MAX_COMMAND_BYTES);
  }

  public RaftConfig withElectionTicks(int ticks) {
    return new RaftConfig(ticks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withHeartbeatTicks(int ticks) {
    return new RaftConfig(electionTicks, ticks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withMaxBytesPerAppend(long bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, bytes, maxInflightAppends, maxCommandBytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withMaxInflightAppends(int n) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, n, maxCommandBytes, preVote, checkQuorum,
        noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withMaxCommandBytes(int bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, bytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withPreVote(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, on,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withCheckQuorum(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, on, noopOnElection, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withNoopOnElection(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, on, learnerCatchUpEntries, unsafeRule);
  }

  public RaftConfig withLearnerCatchUpEntries(int entries) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, entries, unsafeRule);
  }

  /** TEST ONLY: see {@link UnsafeRule}; never call this outside the simulator's bug-injection test. */
  public RaftConfig withUnsafeRule(UnsafeRule rule) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, learnerCatchUpEntries, rule);
  }

  /** Returns this config, or throws {@link IllegalArgumentException} naming the bad setting. */
  public RaftConfig validate() {
    if (heartbeatTicks < 1) throw new IllegalArgumentException("heartbeatTicks must be >= 1, was " + heartbeatTicks);
    if (electionTicks <= heartbeatTicks)
      throw new IllegalArgumentException(
          "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
    if (checkQuorum && electionTicks < 2 * heartbeatTicks)
      throw new IllegalArgumentException("checkQuorum needs electionTicks (" + electionTicks
          + ") of at least two heartbeats (heartbeatTicks " + heartbeatTicks + "): a leader must hear a quorum within one");
    if (maxBytesPerAppend < 1) throw new IllegalArgumentException("maxBytesPerAppend must be >= 1");
    if (maxInflightAppends < 1) throw new IllegalArgumentException("maxInflightAppends must be >= 1");
    if (maxCommandBytes < 1) throw new IllegalArgumentException("maxCommandBytes must be >= 1");
    if (learnerCatchUpEntries < 0)
      throw new IllegalArgumentException("learnerCatchUpEntries must be >= 0, was " + learnerCatchUpEntries);
    return this;
  }
}
