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
 * @param readLease whether a leader may serve lease reads ({@code RaftNode.leaseRead}) and the clock-drift
 *     bound they rely on; {@link ReadLease#OFF} by default
 * @param quiesceTicks quiescence (TiKV's hibernate regions): a leader whose group took no proposal, read or
 *     change and whose followers all hold and have answered for its whole log for this many ticks tells
 *     them to quiesce and stops heartbeating; quiesced followers stop their election timer. 0 (the
 *     default) turns it off. With it on, a dead leader is noticed only when the caller reports it
 *     ({@code RaftNode.peerUnreachable}) or any other input wakes the group
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
    UnsafeRule unsafeRule,
    ReadLease readLease,
    int quiesceTicks) {

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
    if (readLease == null) readLease = ReadLease.OFF;
  }

  /** Without quiescence. */
  public RaftConfig(int electionTicks, int heartbeatTicks, long maxBytesPerAppend, int maxInflightAppends,
      int maxCommandBytes, boolean preVote, boolean checkQuorum, boolean noopOnElection, int learnerCatchUpEntries,
      UnsafeRule unsafeRule, ReadLease readLease) {
    this(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, preVote, checkQuorum,
        noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, 0);
  }

  /** Without lease reads. */
  public RaftConfig(int electionTicks, int heartbeatTicks, long maxBytesPerAppend, int maxInflightAppends,
      int maxCommandBytes, boolean preVote, boolean checkQuorum, boolean noopOnElection, int learnerCatchUpEntries,
      UnsafeRule unsafeRule) {
    this(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, preVote, checkQuorum,
        noopOnElection, learnerCatchUpEntries, unsafeRule, ReadLease.OFF);
  }

  /**
   * Lease reads (Raft thesis §6.4.1, etcd's ReadOnlyLeaseBased): a leader that heard from a quorum
   * answer heartbeats it sent at its tick t0 serves reads at its commit index without a heartbeat
   * round while its tick is below {@code t0 + leaseTicks(electionTicks)}. That is safe because a
   * follower that heard from the leader ignores (pre-)votes for an election timeout (check-quorum),
   * so no other leader can exist before its lease ends, provided clocks run at rates within the bound.
   *
   * @param enabled lease reads asked for; they then need check-quorum and a drift bound (else {@link #validate} refuses)
   * @param maxClockDrift how much faster any peer's clock may run than any other's, as a fraction:
   *     0.1 means that while one peer counts 10 ticks, no other counts more than 11; NaN when not configured
   */
  public record ReadLease(boolean enabled, double maxClockDrift) {
    public static final ReadLease OFF = new ReadLease(false, Double.NaN);

    /** Lease reads on, with this drift bound. */
    public static ReadLease withMaxClockDrift(double maxClockDrift) {
      return new ReadLease(true, maxClockDrift);
    }

    /**
     * How many of its own ticks after sending a heartbeat a leader may serve lease reads on its
     * answers: floor((electionTicks - 1) / (1 + drift)). A follower ignores votes until its
     * electionTicks-th tick after the heartbeat arrived, at least electionTicks - 1 tick lengths of
     * its clock later; a clock faster by the factor (1 + drift) counts those in (electionTicks - 1)
     * / (1 + drift) of the leader's tick lengths, and the leader's lease ends within that many.
     */
    public int leaseTicks(int electionTicks) {
      if (!enabled || Double.isNaN(maxClockDrift)) return 0;
      return (int) Math.floor((electionTicks - 1) / (1 + maxClockDrift));
    }
  }

  /**
   * Lease reads asked for on a configuration that cannot make them safe (no drift bound, check-quorum
   * off, a lease shorter than a tick): refused at start rather than silently served as ReadIndex.
   */
  public static final class ReadLeaseRefused extends IllegalArgumentException {
    public ReadLeaseRefused(String message) {
      super(message);
    }
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
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withHeartbeatTicks(int ticks) {
    return new RaftConfig(electionTicks, ticks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withMaxBytesPerAppend(long bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, bytes, maxInflightAppends, maxCommandBytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withMaxInflightAppends(int n) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, n, maxCommandBytes, preVote, checkQuorum,
        noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withMaxCommandBytes(int bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, bytes, preVote,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withPreVote(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes, on,
        checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withCheckQuorum(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, on, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withNoopOnElection(boolean on) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, on, learnerCatchUpEntries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withLearnerCatchUpEntries(int entries) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, entries, unsafeRule, readLease, quiesceTicks);
  }

  public RaftConfig withReadLease(ReadLease lease) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, lease, quiesceTicks);
  }

  /** Quiescence after this many idle ticks; 0 turns it off. */
  public RaftConfig withQuiesceTicks(int ticks) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, learnerCatchUpEntries, unsafeRule, readLease, ticks);
  }

  /** Whether idle groups quiesce ({@link #quiesceTicks} above 0). */
  public boolean quiesce() {
    return quiesceTicks > 0;
  }

  /** TEST ONLY: see {@link UnsafeRule}; never call this outside the simulator's bug-injection test. */
  public RaftConfig withUnsafeRule(UnsafeRule rule) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes,
        preVote, checkQuorum, noopOnElection, learnerCatchUpEntries, rule, readLease, quiesceTicks);
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
    if (quiesceTicks < 0) throw new IllegalArgumentException("quiesceTicks must be >= 0 (0: off), was " + quiesceTicks);
    if (quiesceTicks > 0 && quiesceTicks < 2 * heartbeatTicks)
      throw new IllegalArgumentException("quiesceTicks (" + quiesceTicks + ") must be at least two heartbeats (heartbeatTicks "
          + heartbeatTicks + "): the followers must have answered one while the group is idle");
    if (readLease.enabled()) validateReadLease();
    return this;
  }

  private void validateReadLease() {
    double drift = readLease.maxClockDrift();
    if (Double.isNaN(drift))
      throw new ReadLeaseRefused("lease reads need a clock-drift bound (maxClockDrift), and none is configured");
    if (drift < 0 || Double.isInfinite(drift))
      throw new ReadLeaseRefused("maxClockDrift must be a finite fraction >= 0, was " + drift);
    if (!checkQuorum)
      throw new ReadLeaseRefused("lease reads need checkQuorum: only then do followers ignore votes while they hear"
          + " from their leader, which is what keeps a second leader from existing during a lease");
    if (readLease.leaseTicks(electionTicks) < 1)
      throw new ReadLeaseRefused("a lease of floor((electionTicks - 1) / (1 + maxClockDrift)) = floor(("
          + electionTicks + " - 1) / " + (1 + drift) + ") ticks is shorter than one tick: raise electionTicks");
  }
}
