package raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.core.RaftLogger;
import raft.logging.Slf4jRaftLogger;
import testkit.SeedExtension;
import testkit.sim.ClusterSimulator;
import testkit.sim.ClusterSimulator.Clocks;
import testkit.sim.ClusterSimulator.Invariant;
import testkit.sim.ClusterSimulator.Stats;
import testkit.sim.ClusterSimulator.Violation;

/**
 * Deterministic simulation of whole clusters on the pure core: thousands of seeded schedules of
 * reordered, dropped and duplicated messages, partitions, crashes, restarts and snapshots, with
 * Raft's safety invariants checked after every step and liveness at the end of each schedule.
 *
 * <p>{@code -Dsim.schedules=N} explores more (default {@value #DEFAULT_SCHEDULES}),
 * {@code -Dsim.steps=N} makes schedules longer, {@code -Dsim.seed=S} replays one schedule
 * ({@code mvn -B test -Dtest='SimulationTest#replay' -Dsim.seed=S}), and {@code -Dseed=B} replays a
 * whole run, since schedule i's seed is derived from the base seed B.
 */
@ExtendWith(SeedExtension.class)
class SimulationTest {
  private static final Logger LOG = LoggerFactory.getLogger(SimulationTest.class);
  static final int DEFAULT_SCHEDULES = 10_000;
  private static final int STEPS = Integer.getInteger("sim.steps", 1000);
  /**
   * The injected bugs must be found within this many schedules of {@link #BUG_STEPS} steps. The
   * schedules to the first find are close to geometric; measured over base seeds 1-30 (4 December 2026,
   * after the leader lease began to hold without check-quorum, which makes the Figure-8 history rarer),
   * mean and maximum: the Figure-8 rule 814 and 3,247, clock skew beyond the lease's bound 215 and 1,156, a read released without its heartbeat round 300
   * and 1,481, a vote not persisted 162 and 877, an ack before its write 50 and 226, entering joint twice
   * 29 and 109, two pending changes 5 and 19, a change applied on append 3.5 and 8, the vote rule 3.3 and 8.
   * A budget of 18 times the worst mean misses a planted bug by bad luck about once in 10^8 runs
   * (e^-18), so finding nothing is a real regression. The budget was 3,000 until the Figure-8 rule
   * went unnoticed for 3,000 schedules in CI (a 2.5 % chance at that mean).
   */
  private static final int BUG_BUDGET = 15_000;
  private static final int BUG_STEPS = 2_000;
  static final int DEFAULT_LEASE_SCHEDULES = 2_000;

  private static Stats runSchedule(long scheduleSeed, RaftConfig.UnsafeRule rule, int steps) {
    return new ClusterSimulator(scheduleSeed, rule, p -> RaftLogger.SILENT).run(steps);
  }

  /** Bounded loops only; the generous timeout leaves room for {@code -Dsim.schedules} in the hundreds of thousands. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void everySeededScheduleKeepsRaftSafeAndLive(long seed) {
    int schedules = Integer.getInteger("sim.schedules", DEFAULT_SCHEDULES);
    long start = System.nanoTime();
    long committed = 0;
    long crashes = 0;
    long midWriteCrashes = 0;
    long snapshots = 0;
    long installs = 0;
    long leaders = 0;
    long membershipChanges = 0;
    long transfers = 0;
    long reads = 0;
    long maxTerm = 0;
    long quiescences = 0;
    long downSignals = 0;
    long quiescedLeaderCrashes = 0;
    for (int i = 0; i < schedules; i++) {
      Stats s = runSchedule(ClusterSimulator.scheduleSeed(seed, i), RaftConfig.UnsafeRule.NONE, STEPS);
      committed += s.committed();
      crashes += s.crashes();
      midWriteCrashes += s.midWriteCrashes();
      snapshots += s.snapshots();
      installs += s.installs();
      leaders += s.leaders();
      membershipChanges += s.membershipChanges();
      transfers += s.transfers();
      reads += s.reads();
      maxTerm = Math.max(maxTerm, s.maxTerm());
      quiescences += s.quiescences();
      downSignals += s.downSignals();
      quiescedLeaderCrashes += s.quiescedLeaderCrashes();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info("simulated {} schedules of {} steps in {} s (base seed {}): {} entries committed, {} leaders elected,"
        + " {} crashes ({} of a leader between sending its appends and writing them), {} snapshots taken, {} installed"
        + " from a leader, {} membership changes accepted, {} leadership transfers started, {} linearizable reads"
        + " released, max term {}; quiescence: {} times a leader quiesced, {} unreachable reports delivered, {} leaders"
        + " crashed while quiesced and replaced", schedules, STEPS, String.format("%.1f", seconds), seed, committed,
        leaders, crashes, midWriteCrashes, snapshots, installs, membershipChanges, transfers, reads, maxTerm, quiescences,
        downSignals, quiescedLeaderCrashes);
    // The schedules must actually exercise the protocol, not idle.
    assertTrue(committed >= schedules, "too few entries committed: " + committed);
    assertTrue(leaders >= schedules, "too few elections: " + leaders);
    if (schedules >= 100) {
      assertTrue(crashes > 0, "no crash in " + schedules + " schedules");
      assertTrue(midWriteCrashes > 0, "no leader crashed mid-write in " + schedules + " schedules");
      assertTrue(snapshots > 0, "no snapshot in " + schedules + " schedules");
      assertTrue(installs > 0, "no snapshot sent to a follower in " + schedules + " schedules");
      assertTrue(membershipChanges > 0, "no membership change in " + schedules + " schedules");
      assertTrue(transfers > 0, "no leadership transfer in " + schedules + " schedules");
      assertTrue(reads > 0, "no read released in " + schedules + " schedules");
      assertTrue(quiescences > 0, "no leader quiesced in " + schedules + " schedules");
      assertTrue(downSignals > 0, "no unreachable report delivered in " + schedules + " schedules");
      assertTrue(quiescedLeaderCrashes > 0, "no leader crashed while quiesced in " + schedules + " schedules");
    }
  }

  /**
   * Lease reads with every peer's clock at its own rate, the fastest at most (1 + the configured
   * drift bound) times the slowest: no lease read is ever stale, and many are served without a
   * heartbeat round. {@code -Dsim.lease.schedules=N} explores more (default {@value #DEFAULT_LEASE_SCHEDULES}).
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void leaseReadsStayLinearizableWithClockSkewWithinTheBound(long seed) {
    int schedules = Integer.getInteger("sim.lease.schedules", DEFAULT_LEASE_SCHEDULES);
    long start = System.nanoTime();
    long reads = 0;
    long atOnce = 0;
    long leaders = 0;
    for (int i = 0; i < schedules; i++) {
      long s = ClusterSimulator.scheduleSeed(seed, i);
      Stats st = new ClusterSimulator(s, Clocks.WITHIN_BOUND, p -> RaftLogger.SILENT).run(STEPS);
      reads += st.reads();
      atOnce += st.leaseReadsAtOnce();
      leaders += st.leaders();
    }
    LOG.info("simulated {} lease-read schedules of {} steps with clock skew within the bound in {} s (base seed {}):"
        + " {} linearizable reads released, {} of them lease reads served without a heartbeat round, {} leaders",
        schedules, STEPS, String.format("%.1f", (System.nanoTime() - start) / 1e9), seed, reads, atOnce, leaders);
    // Measured: about 1.6 per schedule (500 schedules, 3 December 2026); half of one is a real regression.
    assertTrue(2 * atOnce >= schedules, "too few lease reads served from a lease: " + atOnce);
  }

  /**
   * The planted fault of lease reads: clocks whose rates differ by more than the bound the lease
   * allows for. A follower's lease then ends (in real time) well before the old leader's, a new
   * leader commits, and the old one serves a stale read from its lease; the checker must see it.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesLeaseReadsWhenClockSkewExceedsTheBound(long seed) {
    for (int i = 0; i < BUG_BUDGET; i++) {
      long s = ClusterSimulator.scheduleSeed(seed, i);
      try {
        new ClusterSimulator(s, Clocks.BEYOND_BOUND, p -> RaftLogger.SILENT).run(BUG_STEPS);
      } catch (Violation v) {
        LOG.info("clock skew beyond the lease's bound caught after {} schedules (seed {}): {}", i + 1, s,
            v.getMessage().lines().findFirst().orElse(""));
        assertEquals(Invariant.LINEARIZABLE_READ, v.invariant(), v.getMessage());
        return;
      }
    }
    fail("clock skew beyond the lease's bound went unnoticed for " + BUG_BUDGET + " schedules");
  }

  /**
   * Replays one schedule: {@code -Dsim.seed=S} (printed by a failure), else schedule 0 of the base
   * seed; {@code -Dsim.clocks=WITHIN_BOUND} or {@code BEYOND_BOUND} for a lease-read schedule.
   */
  @Test
  void replay(long seed) {
    String fixed = System.getProperty("sim.seed");
    long scheduleSeed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim())
        : ClusterSimulator.scheduleSeed(seed, 0);
    Clocks clocks = Clocks.valueOf(System.getProperty("sim.clocks", "INDEPENDENT").trim());
    GroupId group = GroupId.of("sim");
    ClusterSimulator sim = clocks == Clocks.INDEPENDENT
        ? new ClusterSimulator(scheduleSeed, RaftConfig.UnsafeRule.NONE, p -> new Slf4jRaftLogger(group, p))
        : new ClusterSimulator(scheduleSeed, clocks, p -> new Slf4jRaftLogger(group, p));
    Stats s = sim.run(STEPS);
    assertEquals(STEPS, s.steps());
    assertTrue(s.leaders() >= 1, "no leader was ever elected in " + s);
  }

  /**
   * Schedules that once failed, replayed as they were drawn then (a change to how schedules are drawn
   * may make one miss its case, which the randomized schedules still cover):
   * 7171696576054496810, a leader elected outside its voters (it campaigned on a transfer's
   * TimeoutNow as a voter and applied its own removal while campaigning) that stayed in charge for
   * good: it now hands over as soon as it is elected ({@code LeaderRole.handOverIfNotVoter}), and the
   * liveness check fails a leader outside its voters that never does;
   * -4207051093565711530 and 5868662640869033737, groups that never quiesced with noop-on-election
   * off: a follower's stale suffix of an earlier term, or the leader's own uncommitted entries of an
   * earlier term, which only an entry of the leader's term settles; a leader that could otherwise go
   * idle now appends an empty one ({@code LeaderRole.maybeQuiesce}).
   */
  @Test
  void schedulesThatOnceFailedPass() {
    for (long s : new long[] {7171696576054496810L, -4207051093565711530L, 5868662640869033737L}) {
      ClusterSimulator sim = new ClusterSimulator(s, RaftConfig.UnsafeRule.NONE, p -> new Slf4jRaftLogger(GroupId.of("sim"), p));
      assertEquals(STEPS, sim.run(STEPS).steps(), "schedule seed " + s);
    }
  }

  @Test
  void oneSeedReplaysTheSameSchedule(long seed) {
    for (int i = 0; i < 20; i++) {
      long s = ClusterSimulator.scheduleSeed(seed, i);
      assertEquals(runSchedule(s, RaftConfig.UnsafeRule.NONE, STEPS), runSchedule(s, RaftConfig.UnsafeRule.NONE, STEPS),
          "schedule seed " + s);
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesLeaderCommittingOldTermEntriesByCounting(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.COMMIT_OLD_TERM_BY_COUNTING);
    assertTrue(v.invariant() == Invariant.LEADER_COMPLETENESS || v.invariant() == Invariant.STATE_MACHINE_SAFETY,
        "expected a lost committed entry, got " + v.invariant() + ": " + v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesVotesGrantedWithoutTheLogCheck(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.VOTE_WITHOUT_LOG_CHECK);
    assertTrue(v.invariant() == Invariant.LEADER_COMPLETENESS || v.invariant() == Invariant.STATE_MACHINE_SAFETY,
        "expected a lost committed entry, got " + v.invariant() + ": " + v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesAcksSentBeforeTheirWrite(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.ACK_BEFORE_WRITE);
    // A follower that crashed after acknowledging entries it never wrote either loses a committed
    // entry, or leaves the leader believing it holds entries it lacks, so that the two never agree
    // on where to continue (the leader ignores rejections below a match index it trusts).
    assertTrue(v.invariant() == Invariant.LEADER_COMPLETENESS || v.invariant() == Invariant.STATE_MACHINE_SAFETY
        || v.invariant() == Invariant.LIVENESS, "expected a lost entry or a stuck follower, got " + v.invariant() + ": "
        + v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesVotesThatAreNotPersisted(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.VOTE_NOT_PERSISTED);
    // Two leaders of one term: seen as such, or by what they do (two entries at one (index, term), a lost entry).
    assertTrue(v.invariant() == Invariant.ELECTION_SAFETY || v.invariant() == Invariant.LOG_MATCHING
        || v.invariant() == Invariant.LEADER_COMPLETENESS || v.invariant() == Invariant.STATE_MACHINE_SAFETY
        || v.invariant() == Invariant.CORE_EXCEPTION,
        "expected two leaders of one term or a lost entry, got " + v.invariant() + ": " + v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesTwoPendingMembershipChanges(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.TWO_PENDING_CHANGES);
    assertEquals(Invariant.MEMBERSHIP_TRANSITION, v.invariant(), v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesMembershipChangesAppliedOnAppend(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.CHANGE_ON_APPEND);
    assertEquals(Invariant.MEMBERSHIP_COMMITTED, v.invariant(), v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesEnteringJointConsensusTwice(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.ENTER_JOINT_TWICE);
    assertEquals(Invariant.MEMBERSHIP_TRANSITION, v.invariant(), v.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void catchesReadsReleasedWithoutAHeartbeatRound(long seed) {
    Violation v = firstViolation(seed, RaftConfig.UnsafeRule.READ_WITHOUT_HEARTBEAT_ROUND);
    assertEquals(Invariant.LINEARIZABLE_READ, v.invariant(), v.getMessage());
  }

  private static Violation firstViolation(long seed, RaftConfig.UnsafeRule rule) {
    for (int i = 0; i < BUG_BUDGET; i++) {
      long s = ClusterSimulator.scheduleSeed(seed, i);
      try {
        runSchedule(s, rule, BUG_STEPS);
      } catch (Violation v) {
        LOG.info("{} caught after {} schedules (seed {}): {}", rule, i + 1, s, v.getMessage().lines().findFirst().orElse(""));
        return v;
      }
    }
    return fail(rule + " went unnoticed for " + BUG_BUDGET + " schedules");
  }
}
