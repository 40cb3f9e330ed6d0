package testkit.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.RaftLogger;
import raft.core.RaftNode;
import raft.core.RaftStatus;
import raft.core.ReadState;
import raft.core.Ready;
import raft.core.TransferResult;
import raft.message.EntryKind;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.RaftMessage;
import raft.message.Snapshot;
import wire.Bytes;

/**
 * A whole cluster of pure Raft peers driven, one action at a time, by a single seed (in the spirit
 * of FoundationDB's simulation and etcd's interaction tests). Every step draws one action from the
 * seed: deliver a random in-flight message (so messages are reordered), drop or duplicate one,
 * tick a peer, propose (mostly on the leader), partition or heal the network, crash a peer (its
 * volatile state is lost, its storage kept) or restart it, or take a service snapshot at a peer's
 * applied index. After every step an invariant checker verifies Raft's safety properties (see
 * {@link Invariant}); at the end the network heals and the cluster must make progress.
 *
 * <p>Single-threaded and deterministic: the same seed replays the same schedule exactly. A
 * violation throws {@link Violation} naming the invariant, the step, the seed and a replay command.
 */
public final class ClusterSimulator {

  /** The properties checked after every step (and, for liveness, at the end of a schedule). */
  public enum Invariant {
    /** At most one leader per term, over the whole history. */
    ELECTION_SAFETY,
    /** Two logs holding an entry with the same index and term are identical up to it; an (index, term) names one command. */
    LOG_MATCHING,
    /** Every committed entry is in the log of every leader of a later term. */
    LEADER_COMPLETENESS,
    /** No two peers commit or apply different commands at the same index; snapshots agree with them. */
    STATE_MACHINE_SAFETY,
    /** Each incarnation applies every index exactly once, in order, from its snapshot on. */
    APPLY_ORDER,
    /** Commit index never decreases within an incarnation, nor the term of a peer across incarnations. */
    MONOTONIC,
    /** The core's report agrees with its storage and its service after each Ready loop. */
    CONSISTENT_STATUS,
    /** Every membership in force at a peer is one the committed log defines at the index it came from. */
    MEMBERSHIP_COMMITTED,
    /**
     * Each committed membership follows from the one before: at most one voter changed (simple),
     * entering joint from a simple one (outgoing = its voters), or leaving the joint one.
     */
    MEMBERSHIP_TRANSITION,
    /**
     * A linearizable read is never stale: its read index is at least every commit index any peer
     * had reached (so every write acknowledged) when the read was asked for; each read is released at most once.
     */
    LINEARIZABLE_READ,
    /** The core threw an exception (its own internal assertions). */
    CORE_EXCEPTION,
    /** After healing and running quietly, proposals of the final stable term are applied everywhere. */
    LIVENESS
  }

  /** A broken invariant, with everything needed to replay it. */
  public static final class Violation extends AssertionError {
    private final Invariant invariant;
    private final long seed;

    Violation(Invariant invariant, long seed, String message, Throwable cause) {
      super(message, cause);
      this.invariant = invariant;
      this.seed = seed;
    }

    public Invariant invariant() {
      return invariant;
    }

    public long seed() {
      return seed;
    }
  }

  /**
   * What one schedule did, for the test's summary line; {@code fingerprint} hashes every action
   * taken, so two runs of one seed must return equal stats.
   */
  public record Stats(int peers, int steps, long maxTerm, long committed, int crashes, int midWriteCrashes,
      int snapshots, int installs, int leaders, int membershipChanges, int transfers, int reads, int leaseReadsAtOnce,
      int quiescences, int downSignals, int quiescedLeaderCrashes, long fingerprint) {}

  /**
   * How the peers' clocks advance. INDEPENDENT: a tick action ticks one peer or all, with no real
   * time behind them (any peer may run arbitrarily ahead of another), and lease reads are off.
   * With real time: each peer's clock runs at its own rate, fixed per schedule, and a tick action
   * advances real time (a peer ticks each time its clock passes a whole tick); lease reads are on
   * with a drift bound drawn per schedule. WITHIN_BOUND: the fastest clock runs at most (1 + bound)
   * times the slowest. BEYOND_BOUND: as within, but a leader's clock all but stands still while it
   * leads (a paused process, a frozen VM: a drift far past the bound), which the lease does not allow for
   * (a planted fault: the checker must find the stale read it permits; liveness is not checked, as
   * heartbeats need not keep up with election timers that fast).
   */
  public enum Clocks {
    INDEPENDENT, WITHIN_BOUND, BEYOND_BOUND
  }

  /** Command that replays one schedule; printed with every violation. */
  public static String replayCommand(long seed, int steps) {
    return replayCommand(seed, steps, Clocks.INDEPENDENT);
  }

  /** As {@link #replayCommand(long, int)}, for a schedule whose clocks run in real time. */
  public static String replayCommand(long seed, int steps, Clocks clocks) {
    return "mvn -B test -Dtest='SimulationTest#replay' -Dsim.seed=" + seed + " -Dsim.steps=" + steps
        + (clocks == Clocks.INDEPENDENT ? "" : " -Dsim.clocks=" + clocks);
  }

  /** The seed of schedule {@code i} of a run whose base seed is {@code base}. */
  public static long scheduleSeed(long base, long i) {
    return new SplittableRandom(base ^ (i * 0x9E3779B97F4A7C15L)).nextLong();
  }

  private enum Action {
    DELIVER, DROP, DUPLICATE, TICK, TICK_ALL, PROPOSE, PARTITION, HEAL, CRASH, RESTART, SNAPSHOT, DISRUPT_LEADER,
    FLUSH, CHANGE_MEMBERSHIP, TRANSFER_LEADERSHIP, READ
  }

  private static final Action[] ACTIONS = Action.values();
  /** Base weight of each action; each schedule scales them by 0..2 (swarm testing), so schedules differ in kind. */
  private static final int[] BASE_WEIGHTS = {48, 3, 3, 22, 3, 9, 2, 3, 1, 3, 3, 1, 12, 3, 1, 4};
  /** Peers that are not in the bootstrap membership but run from the start, waiting to be added. */
  private static final int SPARES = 2;
  private static final int TRACE = Integer.getInteger("sim.trace", 40);
  /**
   * With real time: how far one TICK action moves it, in nominal ticks (TICK_ALL: five times as far).
   * Small enough that the network keeps up with the heartbeats (a lease is useful only while its
   * answers come back within it), large enough that schedules see elections and expired leases.
   */
  private static final double TIME_PER_TICK_ACTION = 0.1;
  /** Beyond the bound: a leader's clock runs this many times (1 + bound) slower than the others' (a pause). */
  private static final double LEADER_SLOWDOWN = 1e6;

  private final long seed;
  private final SplittableRandom rnd;
  private final int[] weights = new int[BASE_WEIGHTS.length];
  private final int totalWeight;
  private final RaftConfig cfg;
  private final Clocks clocks;
  /** With real time: each peer's clock rate (its ticks per unit of real time) and reading. */
  private final double[] rate;
  private final double[] clock;
  private final Function<PeerId, RaftLogger> logger;
  /** All peers, the bootstrap voters first, then the spares. */
  private final int n;
  private final List<PeerId> ids = new ArrayList<>();
  private final Membership bootstrap;
  /**
   * One ready()/persist/advance per several inputs (as the actor peer does: commands arriving during
   * a write are stashed and go into the next Ready): a peer that took an input is drained only
   * sometimes at once, else later by a FLUSH action. Off in the liveness phase.
   */
  private boolean batching = true;
  private final boolean[] undrained;
  private final Map<PeerId, Integer> index = new HashMap<>();
  /** Durable storage of each peer; for a live peer the very object its incarnation writes to. */
  private final MemoryLogStorage[] disks;
  /** The running incarnation of each peer, or null while it is crashed. */
  private final Incarnation[] live;
  private final boolean[] dirty;
  private final boolean[][] blocked;
  private final ArrayList<RaftMessage> inflight = new ArrayList<>();
  /**
   * Whether a leader may crash between sending its appends and finishing the write they race
   * with (one write in {@link #CRASH_MID_WRITE_ONE_IN}); off where a step needs its peer alive.
   */
  private boolean midWriteCrashes = true;
  private static final int CRASH_MID_WRITE_ONE_IN = 50;
  private int midWriteCrashCount;

  // ---- what the checker remembers about the whole history ----
  private final Map<Long, PeerId> leaderOfTerm = new HashMap<>();
  private final Map<EntryId, Bytes> commandOf = new HashMap<>();
  private final Map<Bytes, EntryId> positionOf = new HashMap<>();
  /** committed.get(i - 1) is the entry committed at index i (contiguous from 1). */
  private final ArrayList<Committed> committed = new ArrayList<>();
  /** appliedGlobal.get(i - 1) is the command some service applied at index i. */
  private final ArrayList<Bytes> appliedGlobal = new ArrayList<>();
  private final long[] termSeen;
  /** Proposals the leaders accepted, by term: index and command. */
  private final Map<Long, Map<Long, Bytes>> acceptedByTerm = new HashMap<>();
  private final ArrayDeque<String> trace = new ArrayDeque<>();

  private int step;
  private int steps;
  private String currentAction = "start";
  private long nextCommand;
  private long nextPeerSeed;
  private int incarnations;
  private int crashes;
  private int snapshots;
  private int installs;
  private long fingerprint = 17;
  /**
   * With quiescence: the simulator's failure detector. Crashing, isolating or partitioning a peer
   * queues "peer X unreachable" reports for the peers that lost it (Akka's unreachable/removed
   * events, or DeathWatch on the leader's actor); a random step delivers one, late and in any order,
   * and now and then a wrong one about a peer that is fine. Each entry: {receiver, subject}.
   */
  private final ArrayList<int[]> downSignals = new ArrayList<>();
  private int downSignalsDelivered;
  private boolean[] wasQuiesced;
  private int quiescences;
  private int quiescedLeaderCrashes;

  private record EntryId(long index, long term) {}

  /** An entry known committed, and the lowest own term of a peer seen holding it committed. */
  private static final class Committed {
    final long term;
    final Bytes command;
    long observerTerm;

    Committed(long term, Bytes command, long observerTerm) {
      this.term = term;
      this.command = command;
      this.observerTerm = observerTerm;
    }

    long term() {
      return term;
    }

    Bytes command() {
      return command;
    }
  }

  /** Memberships of the membership entries ever persisted, by position. */
  private final Map<EntryId, Membership> membershipOf = new HashMap<>();
  /** committedMembership.get(i) is the membership in force after committed entries 1..i (i = 0: bootstrap). */
  private final ArrayList<Membership> committedMembership = new ArrayList<>();
  private int membershipChanges;
  private int transfers;
  /** Reads asked for and not yet released or dropped: id and the commit index they must not fall below. */
  private final Map<Long, Long> readFloor = new HashMap<>();
  /** The lease read being drained at once: released now, it had no heartbeat round. */
  private long leaseReadNow;
  private long nextRead;
  private int readsReleased;
  private int leaseReadsAtOnce;

  /** One life of a peer: the core, its storage and its service state (the applied commands). */
  private final class Incarnation {
    final int idx;
    final int number;
    final MemoryLogStorage storage;
    final RaftNode node;
    /** service.get(i - 1) is the command applied at index i (restored from snapshots). */
    final ArrayList<Bytes> service = new ArrayList<>();
    long appliedIndex;
    long lastCommit;
    long observedCommit;
    final Set<Long> ledTerms = new TreeSet<>();
    /** Proposals accepted by the core but not yet through a Ready: the actor answers only after the write. */
    final List<Map.Entry<ProposeResult.Accepted, Bytes>> unwrittenAccepts = new ArrayList<>();

    Incarnation(int idx, MemoryLogStorage storage) {
      this.idx = idx;
      this.number = ++incarnations;
      this.storage = storage;
      Snapshot snap = storage.snapshot();
      if (!snap.isEmpty()) restoreService(this, snap, "restart");
      this.node = RaftNode.start(ids.get(idx), bootstrap, cfg, storage, new SplittableRandom(seed ^ ++nextPeerSeed * 31),
          logger.apply(ids.get(idx)));
    }
  }

  /**
   * @param seed every choice of the schedule (peers, config, actions, election timeouts) comes from it
   * @param unsafeRule {@link RaftConfig.UnsafeRule#NONE} except to prove that the checker catches a broken rule
   * @param logger the core's logger for each peer ({@code p -> RaftLogger.SILENT} for speed)
   */
  public ClusterSimulator(long seed, RaftConfig.UnsafeRule unsafeRule, Function<PeerId, RaftLogger> logger) {
    this(seed, unsafeRule, Clocks.INDEPENDENT, logger);
  }

  /** A schedule with lease reads on, the peers' clocks running at rates within the bound or (a planted fault) beyond it. */
  public ClusterSimulator(long seed, Clocks clocks, Function<PeerId, RaftLogger> logger) {
    this(seed, RaftConfig.UnsafeRule.NONE, clocks, logger);
  }

  private ClusterSimulator(long seed, RaftConfig.UnsafeRule unsafeRule, Clocks clocks,
      Function<PeerId, RaftLogger> logger) {
    this.seed = seed;
    this.clocks = clocks;
    this.rnd = new SplittableRandom(seed);
    this.logger = logger;
    int voterCount = rnd.nextBoolean() ? 3 : 5;
    this.n = voterCount + SPARES;
    long[] appendBytes = {1, 100, 1 << 20};
    int electionTicks = 2 + rnd.nextInt(7);
    int heartbeatTicks = 1 + rnd.nextInt(Math.min(3, electionTicks - 1));
    int[] inflight = {1, 2, 4, 256};
    // Pre-vote, check-quorum and the no-op are on in three schedules of four each; check-quorum needs an
    // election timeout of two heartbeats at least.
    boolean preVote = rnd.nextInt(4) != 0;
    boolean checkQuorum = rnd.nextInt(4) != 0 && electionTicks >= 2 * heartbeatTicks;
    // The election no-op too: it commits earlier terms' entries at once, which hides the Figure-8 bug.
    boolean noop = rnd.nextInt(4) != 0;
    RaftConfig.ReadLease lease = RaftConfig.ReadLease.OFF;
    if (clocks != Clocks.INDEPENDENT) {
      // Lease reads need check-quorum and a lease of a tick at least: floor((e - 1) / 1.5) >= 1 from e = 3.
      electionTicks = Math.max(3, electionTicks);
      heartbeatTicks = Math.min(heartbeatTicks, electionTicks / 2);
      checkQuorum = true;
      double[] drifts = {0, 0.1, 0.25, 0.5};
      lease = RaftConfig.ReadLease.withMaxClockDrift(drifts[rnd.nextInt(drifts.length)]);
    }
    // Quiescence in one schedule of three, drawn from a generator of its own so that the schedules
    // without it are the very ones they were before it existed (their seeds replay unchanged).
    SplittableRandom quiesceRnd = new SplittableRandom(seed ^ 0x5155494553434531L);
    int quiesceTicks = quiesceRnd.nextInt(3) == 0 ? 2 * heartbeatTicks + quiesceRnd.nextInt(3 * electionTicks) : 0;
    this.cfg = new RaftConfig(electionTicks, heartbeatTicks, appendBytes[rnd.nextInt(appendBytes.length)],
        inflight[rnd.nextInt(inflight.length)], RaftConfig.DEFAULT_MAX_COMMAND_BYTES, preVote, checkQuorum, noop,
        RaftConfig.DEFAULT_LEARNER_CATCH_UP_ENTRIES, unsafeRule, lease, quiesceTicks).validate();
    for (int i = 0; i < n; i++) {
      PeerId id = PeerId.of("p" + (i + 1));
      ids.add(id);
      index.put(id, i);
    }
    this.bootstrap = Membership.ofVoters(ids.subList(0, voterCount));
    this.committedMembership.add(bootstrap);
    this.undrained = new boolean[n];
    int total = 0;
    for (int i = 0; i < weights.length; i++) {
      Action a = ACTIONS[i];
      int factor = a == Action.DELIVER || a == Action.TICK ? 1 + rnd.nextInt(2) : rnd.nextInt(3);
      weights[i] = BASE_WEIGHTS[i] * factor;
      total += weights[i];
    }
    if (clocks != Clocks.INDEPENDENT) {
      // Reads are what these schedules are about: more of them, in every schedule.
      int read = Action.READ.ordinal();
      total -= weights[read];
      weights[read] = BASE_WEIGHTS[read] * (3 + 3 * weights[read] / BASE_WEIGHTS[read]);
      total += weights[read];
      if (clocks != Clocks.INDEPENDENT) {
        // And leaders cut off from the rest (never crashed), so that a new leader commits while an old
        // one still leads: the moment a lease must have ended.
        int disrupt = Action.DISRUPT_LEADER.ordinal();
        total += 10 - weights[disrupt];
        weights[disrupt] = 10;
      }
    }
    this.totalWeight = total;
    this.rate = new double[n];
    this.clock = new double[n];
    if (clocks != Clocks.INDEPENDENT) {
      double bound = 1 + lease.maxClockDrift();
      for (int i = 0; i < n; i++) {
        rate[i] = 1 + lease.maxClockDrift() * rnd.nextDouble();
        clock[i] = rnd.nextDouble(); // phases differ too
      }
    }
    this.disks = new MemoryLogStorage[n];
    this.live = new Incarnation[n];
    this.dirty = new boolean[n];
    this.blocked = new boolean[n][n];
    this.termSeen = new long[n];
    for (int i = 0; i < n; i++) {
      disks[i] = new MemoryLogStorage();
      live[i] = new Incarnation(i, disks[i]);
    }
  }

  /** Runs one schedule of {@code steps} random steps, then the liveness phase; throws {@link Violation}. */
  public Stats run(int steps) {
    this.steps = steps;
    trace("config " + n + " peers, " + cfg + ", action weights " + java.util.Arrays.toString(weights)
        + (clocks == Clocks.INDEPENDENT ? "" : ", clocks " + clocks + " at rates " + java.util.Arrays.toString(rate)));
    for (step = 1; step <= steps; step++) {
      doStep();
      check();
    }
    // Beyond the bound a leader's heartbeats may not keep up with its followers' election timers:
    // that schedule promises safety only.
    if (clocks != Clocks.BEYOND_BOUND) checkLiveness();
    long maxTerm = 0;
    for (long t : termSeen) maxTerm = Math.max(maxTerm, t);
    return new Stats(n, steps, maxTerm, committed.size(), crashes, midWriteCrashCount, snapshots, installs,
        leaderOfTerm.size(), membershipChanges, transfers, readsReleased, leaseReadsAtOnce, quiescences,
        downSignalsDelivered, quiescedLeaderCrashes, fingerprint);
  }

  // ---- actions ----------------------------------------------------------------------------

  private Action pick() {
    int r = rnd.nextInt(totalWeight);
    for (int i = 0; i < weights.length; i++) {
      if ((r -= weights[i]) < 0) return ACTIONS[i];
    }
    throw new IllegalStateException();
  }

  private void doStep() {
    Action a = pick();
    // Keep the network from flooding: a big backlog is mostly delivered.
    if (inflight.size() > 60 && (a == Action.TICK || a == Action.TICK_ALL) && rnd.nextInt(4) != 0) a = Action.DELIVER;
    if (inflight.isEmpty() && (a == Action.DELIVER || a == Action.DROP || a == Action.DUPLICATE)) a = Action.TICK;
    try {
      // Only schedules with quiescence draw for this: the others replay as they always did.
      if (cfg.quiesce() && signalDown()) return;
      switch (a) {
        case DELIVER -> deliver(takeRandom());
        case DROP -> act("drop " + takeRandom().describe());
        case DUPLICATE -> {
          RaftMessage m = inflight.get(rnd.nextInt(inflight.size()));
          inflight.add(m);
          act("duplicate " + m.describe());
        }
        case TICK -> {
          if (clocks != Clocks.INDEPENDENT) advanceTime(TIME_PER_TICK_ACTION);
          else randomLive().ifPresent(p -> {
            act("tick " + ids.get(p.idx));
            tick(p);
          });
        }
        case TICK_ALL -> tickAll();
        case PROPOSE -> propose();
        case PARTITION -> partition();
        case HEAL -> {
          act("heal");
          for (boolean[] row : blocked) java.util.Arrays.fill(row, false);
        }
        case CRASH -> randomLive().ifPresent(this::crash);
        case RESTART -> restartRandom();
        case SNAPSHOT -> (rnd.nextBoolean() ? leader() : randomLive()).ifPresent(this::snapshot);
        case DISRUPT_LEADER -> leader().ifPresent(l -> {
          if (clocks == Clocks.INDEPENDENT && rnd.nextBoolean()) crash(l);
          else isolate(l.idx);
        });
        case FLUSH -> flushRandom();
        case CHANGE_MEMBERSHIP -> leader().ifPresent(this::changeMembership);
        case TRANSFER_LEADERSHIP -> leader().ifPresent(this::transferLeadership);
        case READ -> readTarget().ifPresent(this::read);
      }
    } catch (Violation v) {
      throw v;
    } catch (RuntimeException e) {
      throw violation(Invariant.CORE_EXCEPTION, e.toString(), e);
    }
  }

  /** One step in eight (when any is pending) delivers a failure detector's report; one in fifty a wrong one. */
  private boolean signalDown() {
    int[] signal;
    if (rnd.nextInt(50) == 0) {
      signal = new int[] {rnd.nextInt(n), rnd.nextInt(n)};
      if (signal[0] == signal[1]) return false;
    } else if (!downSignals.isEmpty() && rnd.nextInt(8) == 0) {
      int i = rnd.nextInt(downSignals.size());
      signal = downSignals.get(i);
      downSignals.set(i, downSignals.get(downSignals.size() - 1));
      downSignals.remove(downSignals.size() - 1);
    } else {
      return false;
    }
    Incarnation p = live[signal[0]];
    act("signal " + ids.get(signal[0]) + ": " + ids.get(signal[1]) + " unreachable" + (p == null ? " (receiver down)" : ""));
    if (p == null) return true;
    downSignalsDelivered++;
    p.node.peerUnreachable(ids.get(signal[1]));
    maybeDrain(p);
    return true;
  }

  /** Queues the reports that {@code about} is unreachable for every other peer (with quiescence only). */
  private void reportDown(int about, boolean[] toWhom) {
    if (!cfg.quiesce()) return;
    for (int i = 0; i < n; i++) if (i != about && toWhom[i]) downSignals.add(new int[] {i, about});
  }

  private void act(String what) {
    currentAction = what;
    fingerprint = fingerprint * 31 + what.hashCode();
    trace("step " + step + ": " + what);
  }

  private void trace(String line) {
    if (trace.size() == TRACE) trace.removeFirst();
    trace.addLast(line);
  }

  private RaftMessage takeRandom() {
    int i = rnd.nextInt(inflight.size());
    RaftMessage m = inflight.get(i);
    RaftMessage last = inflight.remove(inflight.size() - 1);
    if (i < inflight.size()) inflight.set(i, last);
    return m;
  }

  private void deliver(RaftMessage m) {
    int from = index.get(m.from());
    int to = index.get(m.to());
    Incarnation p = live[to];
    if (p == null || blocked[from][to]) {
      act("lose " + m.describe() + (p == null ? " (peer down)" : " (partitioned)"));
      return;
    }
    act("deliver " + m.describe());
    p.node.step(m);
    maybeDrain(p);
  }

  private void tick(Incarnation p) {
    p.node.tick();
    maybeDrain(p);
  }

  /** Drains now, or (while batching, two times in three) leaves the input for a later Ready. */
  private void maybeDrain(Incarnation p) {
    if (batching && rnd.nextInt(3) != 0) undrained[p.idx] = true;
    else drain(p);
  }

  private void flushRandom() {
    int start = rnd.nextInt(n);
    for (int k = 0; k < n; k++) {
      Incarnation p = live[(start + k) % n];
      if (p != null && undrained[p.idx]) {
        act("flush " + ids.get(p.idx));
        drain(p);
        return;
      }
    }
    tickAll();
  }

  /** A random membership change on the leader: one change (simple) or two (joint consensus). */
  private void changeMembership(Incarnation l) {
    Membership m = l.node.membership();
    List<MembershipChange> changes = new ArrayList<>();
    int count = rnd.nextInt(4) == 0 ? 2 : 1;
    for (int k = 0; k < count; k++) {
      PeerId p = ids.get(rnd.nextInt(n));
      MembershipChange c;
      if (!m.contains(p)) c = rnd.nextBoolean() ? new MembershipChange.AddLearner(p) : new MembershipChange.AddVoter(p);
      else if (m.isLearner(p) && rnd.nextBoolean()) c = new MembershipChange.PromoteLearner(p);
      else c = new MembershipChange.Remove(p);
      if (changes.stream().noneMatch(x -> x.peer().equals(p))) changes.add(c);
    }
    ProposeResult r = l.node.proposeMembership(changes);
    act("change membership " + changes + " on " + ids.get(l.idx) + " -> " + r);
    if (r instanceof ProposeResult.Accepted) membershipChanges++;
    drain(l);
  }

  private void transferLeadership(Incarnation l) {
    Optional<PeerId> target = rnd.nextBoolean() ? Optional.empty() : Optional.of(ids.get(rnd.nextInt(n)));
    TransferResult r = l.node.transferLeadership(target);
    act("transfer leadership " + target.map(PeerId::id).orElse("(any)") + " on " + ids.get(l.idx) + " -> " + r);
    if (r instanceof TransferResult.Started) transfers++;
    drain(l);
  }

  /** Half the reads go to a peer that believes it leads (perhaps a deposed one), the rest to the leader or anyone. */
  private Optional<Incarnation> readTarget() {
    if (rnd.nextBoolean()) {
      List<Incarnation> leaders = new ArrayList<>();
      for (Incarnation p : live) if (p != null && p.node.isLeader()) leaders.add(p);
      // Beyond the bound, the oldest one: the leader whose lease the fault stretches past the others'.
      if (!leaders.isEmpty() && clocks != Clocks.INDEPENDENT)
        return leaders.stream().min(java.util.Comparator.comparingLong(x -> x.node.term()));
      if (!leaders.isEmpty()) return Optional.of(leaders.get(rnd.nextInt(leaders.size())));
    }
    return rnd.nextBoolean() ? leader() : randomLive();
  }

  /** A linearizable read: it must not be released below what is committed now (every write acknowledged so far). */
  private void read(Incarnation p) {
    long id = ++nextRead;
    long floor = Math.max(committed.size(), appliedGlobal.size());
    readFloor.put(id, floor);
    boolean lease = cfg.readLease().enabled() && rnd.nextInt(4) != 0;
    act((lease ? "lease read " : "read ") + id + " on " + ids.get(p.idx) + " (committed " + floor + ")");
    if (lease) {
      p.node.leaseRead(id);
      leaseReadNow = id;
      drain(p);
      leaseReadNow = 0;
    } else {
      p.node.readIndex(id);
      maybeDrain(p);
    }
  }

  private void released(Incarnation p, ReadState rs) {
    Long floor = readFloor.remove(rs.id());
    if (floor == null)
      throw violation(Invariant.LINEARIZABLE_READ, ids.get(p.idx) + " released read " + rs.id() + " at " + rs.index()
          + ", which was not waiting (released twice, or never asked for)");
    if (rs.index() < floor)
      throw violation(Invariant.LINEARIZABLE_READ, ids.get(p.idx) + " released read " + rs.id() + " at index "
          + rs.index() + " but index " + floor + " was already committed when it was asked for: a stale read");
    readsReleased++;
    if (rs.id() == leaseReadNow && p.node.membership().voters().size() > 1) leaseReadsAtOnce++;
  }

  private void tickAll() {
    if (clocks != Clocks.INDEPENDENT) {
      advanceTime(5 * TIME_PER_TICK_ACTION);
      return;
    }
    act("tick all");
    for (Incarnation p : live) if (p != null) tick(p);
  }

  /** Real time passes: each live peer ticks once per whole tick its clock passes (at its own rate). */
  private void advanceTime(double dt) {
    StringBuilder sb = new StringBuilder("time +").append(dt).append(", ticks:");
    long[] due = new long[n];
    for (int i = 0; i < n; i++) {
      double before = clock[i];
      // Beyond the bound, a leader's clock all but stops while it leads: the direction in which too
      // much drift breaks the lease (its lease outlives the followers').
      boolean slowed = clocks == Clocks.BEYOND_BOUND && live[i] != null && live[i].node.isLeader();
      clock[i] += dt * rate[i] / (slowed ? LEADER_SLOWDOWN * (1 + cfg.readLease().maxClockDrift()) : 1);
      due[i] = live[i] == null ? 0 : (long) Math.floor(clock[i]) - (long) Math.floor(before);
      if (due[i] > 0) sb.append(' ').append(ids.get(i).id()).append(due[i] > 1 ? " x" + due[i] : "");
    }
    act(sb.toString());
    for (int i = 0; i < n; i++) {
      Incarnation p = live[i];
      if (p == null || due[i] == 0) continue;
      // One Ready per peer per step, as elsewhere: the checker looks at each peer between steps.
      for (long k = 1; k < due[i]; k++) p.node.tick();
      tick(p);
    }
  }

  private void propose() {
    Optional<Incarnation> target = rnd.nextInt(5) != 0 ? leader() : Optional.empty();
    if (target.isEmpty()) target = randomLive();
    if (target.isEmpty()) return;
    Incarnation p = target.get();
    Bytes command = Bytes.utf8("c" + ++nextCommand);
    ProposeResult r = p.node.propose(command);
    act("propose " + command.utf8() + " on " + ids.get(p.idx) + " -> " + r);
    if (r instanceof ProposeResult.Accepted acc) p.unwrittenAccepts.add(Map.entry(acc, command));
    maybeDrain(p);
  }

  private void partition() {
    boolean[] side = new boolean[n];
    for (int i = 0; i < n; i++) side[i] = rnd.nextBoolean();
    StringBuilder sb = new StringBuilder("partition");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? " " : "").append(side[i] ? ids.get(i).id() + " " : "");
      for (int j = 0; j < n; j++) blocked[i][j] = side[i] != side[j];
    }
    act(sb.append("| rest").toString());
    for (int i = 0; i < n; i++) {
      boolean[] other = new boolean[n];
      for (int j = 0; j < n; j++) other[j] = side[j] != side[i];
      reportDown(i, other);
    }
  }

  private void isolate(int idx) {
    act("isolate leader " + ids.get(idx));
    boolean[] everyone = new boolean[n];
    java.util.Arrays.fill(everyone, true);
    for (int j = 0; j < n; j++) {
      if (j != idx) blocked[idx][j] = blocked[j][idx] = true;
      if (j != idx) reportDown(j, oneOf(idx));
    }
    reportDown(idx, everyone);
  }

  private void crash(Incarnation p) {
    act("crash " + ids.get(p.idx) + (p.node.isLeader() ? " (leader)" : ""));
    crashes++;
    boolean[] everyone = new boolean[n];
    java.util.Arrays.fill(everyone, true);
    reportDown(p.idx, everyone);
    live[p.idx] = null;
    undrained[p.idx] = false;
    disks[p.idx] = p.storage.copy(); // the dead incarnation can no longer touch what the next one reads
  }

  private boolean[] oneOf(int idx) {
    boolean[] only = new boolean[n];
    only[idx] = true;
    return only;
  }

  private void restartRandom() {
    List<Integer> down = new ArrayList<>();
    for (int i = 0; i < n; i++) if (live[i] == null) down.add(i);
    if (down.isEmpty()) {
      tickAll();
      return;
    }
    restart(down.get(rnd.nextInt(down.size())));
  }

  private void restart(int idx) {
    act("restart " + ids.get(idx));
    Incarnation p = new Incarnation(idx, disks[idx]);
    live[idx] = p;
    drain(p);
  }

  /** The service snapshots a prefix of what it applied: the encoded commands 1..index. */
  private void snapshot(Incarnation p) {
    long from = p.storage.snapshotMeta().index();
    // Usually everything applied; sometimes less, as the lab's Snapshot(index, bytes) allows.
    long at = p.appliedIndex <= from || rnd.nextBoolean() ? p.appliedIndex : from + 1 + rnd.nextLong(p.appliedIndex - from);
    if (at <= from) {
      act("no snapshot on " + ids.get(p.idx) + " (nothing new applied)");
      return;
    }
    act("snapshot " + ids.get(p.idx) + " at " + at);
    snapshots++;
    p.storage.compact(at, encode(p.service, at));
    dirty[p.idx] = true;
  }

  private Optional<Incarnation> randomLive() {
    int start = rnd.nextInt(n);
    for (int k = 0; k < n; k++) {
      Incarnation p = live[(start + k) % n];
      if (p != null) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** The live leader with the highest term, if any. */
  private Optional<Incarnation> leader() {
    Incarnation best = null;
    for (Incarnation p : live) {
      if (p != null && p.node.isLeader() && (best == null || p.node.term() > best.node.term())) best = p;
    }
    return Optional.ofNullable(best);
  }

  /**
   * The Ready loop the actor runs: (a leader's messages,) persist, (other messages,) apply,
   * advance; the checker watches each part. A leader may crash after its messages left but
   * before its write happened: followers then hold entries it never wrote.
   */
  private void drain(Incarnation p) {
    undrained[p.idx] = false;
    while (p.node.hasReady()) {
      Ready rd = p.node.ready();
      if (rd.sendBeforePersist()) {
        inflight.addAll(rd.messages());
        if (midWriteCrashes && rd.mustPersist() && rnd.nextInt(CRASH_MID_WRITE_ONE_IN) == 0) {
          act("crash " + ids.get(p.idx) + " after its messages left, before its write of " + rd.entries().size()
              + " entries");
          midWriteCrashCount++;
          crash(p);
          return;
        }
      }
      p.storage.save(rd);
      if (rd.snapshot().isPresent() || !rd.entries().isEmpty()) dirty[p.idx] = true;
      for (LogEntry e : rd.entries()) recordEntry(p, e);
      if (!rd.sendBeforePersist()) inflight.addAll(rd.messages());
      rd.snapshot().ifPresent(s -> restoreService(p, s, "install"));
      for (LogEntry e : rd.committed()) apply(p, e);
      for (ReadState rs : rd.readStates()) released(p, rs);
      for (long id : rd.droppedReads()) readFloor.remove(id);
      p.node.advance(rd);
      for (Map.Entry<ProposeResult.Accepted, Bytes> a : p.unwrittenAccepts) accept(a.getKey(), a.getValue());
      p.unwrittenAccepts.clear();
    }
  }

  // ---- the service and its snapshots ------------------------------------------------------

  private static Bytes encode(List<Bytes> service, long upTo) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < upTo; i++) sb.append(i == 0 ? "" : ",").append(service.get(i).utf8());
    return Bytes.utf8(sb.toString());
  }

  private static List<Bytes> decode(Bytes data) {
    List<Bytes> out = new ArrayList<>();
    if (data.isEmpty()) return out;
    for (String c : data.utf8().split(",", -1)) out.add(Bytes.utf8(c));
    return out;
  }

  private void restoreService(Incarnation p, Snapshot s, String how) {
    long at = s.meta().index();
    if (how.equals("install") && at <= p.appliedIndex)
      throw violation(Invariant.APPLY_ORDER, ids.get(p.idx) + " installed " + s.meta().describe()
          + " at or below its applied index " + p.appliedIndex);
    List<Bytes> cmds = decode(s.data());
    if (cmds.size() != at)
      throw violation(Invariant.STATE_MACHINE_SAFETY, ids.get(p.idx) + " " + how + " " + s.meta().describe()
          + " holds " + cmds.size() + " commands");
    for (int i = 0; i < cmds.size(); i++) checkApplied(p, i + 1, cmds.get(i), how + " of " + s.meta().describe());
    if (how.equals("install")) installs++;
    p.service.clear();
    p.service.addAll(cmds);
    p.appliedIndex = at;
  }

  private void apply(Incarnation p, LogEntry e) {
    if (e.index() != p.appliedIndex + 1)
      throw violation(Invariant.APPLY_ORDER, ids.get(p.idx) + "#" + p.number + " applied " + e.describe()
          + " after applied index " + p.appliedIndex);
    checkApplied(p, e.index(), token(e), "apply");
    p.service.add(token(e));
    p.appliedIndex = e.index();
  }

  private void checkApplied(Incarnation p, long idx, Bytes command, String how) {
    if (idx <= appliedGlobal.size()) {
      Bytes before = appliedGlobal.get((int) idx - 1);
      if (!before.equals(command))
        throw violation(Invariant.STATE_MACHINE_SAFETY, ids.get(p.idx) + " " + how + " has " + command.utf8()
            + " at index " + idx + " but " + before.utf8() + " was applied there before");
    } else if (idx == appliedGlobal.size() + 1) {
      appliedGlobal.add(command);
    } else {
      throw violation(Invariant.APPLY_ORDER, ids.get(p.idx) + " " + how + " index " + idx
          + " but no service ever applied " + (appliedGlobal.size() + 1));
    }
    if (idx <= committed.size() && !committed.get((int) idx - 1).command().equals(command))
      throw violation(Invariant.STATE_MACHINE_SAFETY, ids.get(p.idx) + " " + how + " has " + command.utf8()
          + " at index " + idx + " but " + committed.get((int) idx - 1).command().utf8() + " was committed there");
  }

  /**
   * What the simulated service records for an entry: a command as proposed; Raft's own entries (no-ops,
   * membership changes) by kind and position, since their payloads repeat.
   */
  private static Bytes token(LogEntry e) {
    return e.isNormal() ? e.command() : Bytes.utf8(e.kind() + "@" + e.term() + "/" + e.index());
  }

  private void recordEntry(Incarnation p, LogEntry e) {
    EntryId id = new EntryId(e.index(), e.term());
    Bytes before = commandOf.putIfAbsent(id, token(e));
    if (before != null && !before.equals(token(e)))
      throw violation(Invariant.LOG_MATCHING, ids.get(p.idx) + " persisted " + token(e).utf8() + " as " + e.describe()
          + " but another log holds " + before.utf8() + " there");
    if (e.kind() == EntryKind.CONF_CHANGE) membershipOf.putIfAbsent(id, Membership.decode(e.command()));
    if (!e.isNormal()) return;
    EntryId where = positionOf.putIfAbsent(e.command(), id);
    if (where != null && !where.equals(id))
      throw violation(Invariant.LOG_MATCHING, ids.get(p.idx) + " persisted " + e.command().utf8() + " as " + e.describe()
          + " but it was proposed once, as " + where.term() + "/" + where.index());
  }

  // ---- the checker ------------------------------------------------------------------------

  private void check() {
    if (wasQuiesced == null) wasQuiesced = new boolean[n];
    for (int i = 0; i < n; i++) {
      boolean q = live[i] != null && live[i].node.isQuiesced();
      if (q && !wasQuiesced[i] && live[i].node.isLeader()) quiescences++;
      wasQuiesced[i] = q;
    }
    long maxTerm = 0;
    for (Incarnation p : live) {
      if (p == null || undrained[p.idx]) continue; // a term not yet through a Ready was never written nor shown
      long t = p.node.term();
      if (t < termSeen[p.idx])
        throw violation(Invariant.MONOTONIC, ids.get(p.idx) + " term went back from " + termSeen[p.idx] + " to " + t);
      termSeen[p.idx] = t;
    }
    for (long t : termSeen) maxTerm = Math.max(maxTerm, t);
    for (Incarnation p : live) {
      if (p == null || undrained[p.idx]) continue; // checked once its inputs went through a Ready
      RaftStatus s = p.node.status();
      String who = ids.get(p.idx) + "#" + p.number;
      if (s.lastIndex() != p.storage.lastIndex() || s.firstIndex() != p.storage.firstIndex())
        throw violation(Invariant.CONSISTENT_STATUS, who + " reports log " + s.firstIndex() + ".." + s.lastIndex()
            + " but stored " + p.storage.firstIndex() + ".." + p.storage.lastIndex());
      if (s.appliedIndex() != p.appliedIndex || s.appliedIndex() > s.commitIndex())
        throw violation(Invariant.CONSISTENT_STATUS, who + " reports applied " + s.appliedIndex() + ", commit "
            + s.commitIndex() + " but its service applied " + p.appliedIndex);
      if (s.commitIndex() < p.lastCommit)
        throw violation(Invariant.MONOTONIC, who + " commit index went back from " + p.lastCommit + " to " + s.commitIndex());
      p.lastCommit = s.commitIndex();
      observeCommit(p, s.commitIndex(), s.term(), who);
      if (s.isLeader() && p.ledTerms.add(s.term())) newLeader(p, s.term(), who);
      checkMembership(p, who);
    }
    for (int i = 0; i < n; i++) {
      if (!dirty[i]) continue;
      dirty[i] = false;
      for (int j = 0; j < n; j++) if (j != i) checkLogMatching(i, j);
    }
  }

  /** Bounded by the observer's own term: a leader of a later term than that must hold the entry. */
  private void observeCommit(Incarnation p, long commit, long observerTerm, String who) {
    MemoryLogStorage st = p.storage;
    long snap = st.snapshotMeta().index();
    for (long i = p.observedCommit + 1; i <= commit; i++) {
      if (i <= snap) {
        if (i > committed.size())
          throw violation(Invariant.STATE_MACHINE_SAFETY, who + " holds index " + i + " in its snapshot as committed"
              + " but it was never seen committed with its entry");
        continue;
      }
      long term = st.term(i);
      Bytes cmd = commandOf.get(new EntryId(i, term));
      if (i <= committed.size()) {
        Committed c = committed.get((int) i - 1);
        c.observerTerm = Math.min(c.observerTerm, observerTerm);
        if (c.term() != term || !c.command().equals(cmd))
          throw violation(Invariant.STATE_MACHINE_SAFETY, who + " committed " + term + "/" + i + " (" + cmd.utf8()
              + ") but " + c.term() + "/" + i + " (" + c.command().utf8() + ") was committed before");
      } else {
        committed.add(new Committed(term, cmd, observerTerm));
        commitMembership(i, membershipOf.get(new EntryId(i, term)), who);
        if (i <= appliedGlobal.size() && !appliedGlobal.get((int) i - 1).equals(cmd))
          throw violation(Invariant.STATE_MACHINE_SAFETY, who + " committed " + cmd.utf8() + " at " + i + " but "
              + appliedGlobal.get((int) i - 1).utf8() + " was applied there");
      }
    }
    p.observedCommit = Math.max(p.observedCommit, commit);
  }

  private void newLeader(Incarnation p, long term, String who) {
    PeerId before = leaderOfTerm.putIfAbsent(term, ids.get(p.idx));
    if (before != null && !before.equals(ids.get(p.idx)))
      throw violation(Invariant.ELECTION_SAFETY, who + " is leader of term " + term + " but " + before + " was too");
    MemoryLogStorage st = p.storage;
    long snap = st.snapshotMeta().index();
    for (int k = 0; k < committed.size(); k++) {
      long i = k + 1;
      Committed c = committed.get(k);
      if (c.observerTerm >= term || i <= snap) continue;
      if (i > st.lastIndex() || st.term(i) != c.term())
        throw violation(Invariant.LEADER_COMPLETENESS, who + " became leader of term " + term + " without committed "
            + c.term() + "/" + i + " (" + c.command().utf8() + "), seen committed by a peer of term " + c.observerTerm
            + "; its log ends at " + st.lastIndex() + (i <= st.lastIndex() ? " and holds term " + st.term(i) + " there" : ""));
    }
  }

  /** The committed log grew by entry i: record the membership it leads to, checking the transition. */
  private void commitMembership(long i, Membership next, String who) {
    Membership prev = committedMembership.get(committedMembership.size() - 1);
    if (next == null) {
      committedMembership.add(prev);
      return;
    }
    String bad = null;
    if (prev.isJoint()) {
      if (!next.equals(prev.leaveJoint())) bad = "a joint membership may only be left";
    } else if (next.isJoint()) {
      if (!next.outgoing().equals(prev.voters())) bad = "a joint membership's outgoing voters must be the current ones";
    } else {
      Set<PeerId> diff = new TreeSet<>(prev.voters());
      diff.addAll(next.voters());
      Set<PeerId> both = new TreeSet<>(prev.voters());
      both.retainAll(next.voters());
      diff.removeAll(both);
      if (diff.size() > 1) bad = "a simple change may change one voter only, not " + diff;
    }
    if (bad != null)
      throw violation(Invariant.MEMBERSHIP_TRANSITION, who + " committed membership " + next.describe() + " at " + i
          + " after " + prev.describe() + ": " + bad);
    committedMembership.add(next);
  }

  /** The membership in force at a peer is the one the committed log defines at the index it came from. */
  private void checkMembership(Incarnation p, String who) {
    long at = p.node.membershipIndex();
    Membership m = p.node.membership();
    if (at >= committedMembership.size())
      throw violation(Invariant.MEMBERSHIP_COMMITTED, who + " uses membership " + m.describe() + " from index " + at
          + ", which was never seen committed (committed up to " + (committedMembership.size() - 1) + ")");
    if (at > 0 && !committedMembership.get((int) at).equals(m))
      throw violation(Invariant.MEMBERSHIP_COMMITTED, who + " uses membership " + m.describe() + " from index " + at
          + " but the committed log defines " + committedMembership.get((int) at).describe() + " there");
  }

  /** Log matching over durable storage: below the highest (index, term) two logs share, their terms agree. */
  private void checkLogMatching(int a, int b) {
    MemoryLogStorage x = disks[a];
    MemoryLogStorage y = disks[b];
    long lo = Math.max(1, Math.max(x.snapshotMeta().index(), y.snapshotMeta().index()));
    long hi = Math.min(x.lastIndex(), y.lastIndex());
    long i = hi;
    while (i >= lo && x.term(i) != y.term(i)) i--;
    for (long j = i - 1; j >= lo; j--) {
      if (x.term(j) != y.term(j))
        throw violation(Invariant.LOG_MATCHING, ids.get(a) + " and " + ids.get(b) + " agree on term " + x.term(i)
            + " at index " + i + " but differ at " + j + " (terms " + x.term(j) + " and " + y.term(j) + ")");
    }
  }

  // ---- the end of a schedule: heal, run quietly, demand progress --------------------------

  private void checkLiveness() {
    step = -1;
    midWriteCrashes = false;
    batching = false;
    act("liveness: heal the network and restart every crashed peer");
    for (boolean[] row : blocked) java.util.Arrays.fill(row, false);
    for (Incarnation p : live) if (p != null) drain(p);
    // Removed peers keep running: one may be the only peer that can help commit its own removal to
    // a new leader that has not yet learned that it committed (it still answers appends).
    for (int i = 0; i < n; i++) if (live[i] == null) restart(i);
    check();
    for (int attempt = 1; attempt <= 3; attempt++) {
      Incarnation l = runUntilStableLeader();
      long term = l.node.term();
      proposeThree(l);
      for (int round = 0; round < 50 * cfg.electionTicks(); round++) {
        quietRound();
        if (leader().map(x -> x.node.term() != term).orElse(true)) break;
        if (allAppliedEverywhere(term)) {
          if (cfg.quiesce()) checkQuiescence(l);
          return;
        }
      }
      if (leader().map(x -> x.node.term() == term).orElse(false))
        throw violation(Invariant.LIVENESS, "leader " + ids.get(l.idx) + " of term " + term + " stayed in charge of a"
            + " healed, quiet network, but not every proposal of its term was applied everywhere: " + missing(term));
      trace("liveness: leadership changed after term " + term + ", attempt " + attempt);
    }
    throw violation(Invariant.LIVENESS, "no leader stayed in charge of a healed, quiet network");
  }

  /**
   * With quiescence, after liveness held: the healed, idle group quiesces; a wrong "leader
   * unreachable" report wakes it without an election; then the leader crashes while quiesced, the
   * failure detector tells the others, and they elect a new leader that commits everywhere.
   */
  private void checkQuiescence(Incarnation stable) {
    downSignals.clear();
    act("liveness: the idle group must quiesce");
    // The leader then in charge: a transfer started before the liveness phase may still hand over.
    int bound = 50 * (cfg.quiesceTicks() + cfg.electionTicks());
    Optional<Incarnation> quiet = Optional.empty();
    for (int round = 0; round < bound && quiet.isEmpty(); round++) {
      quietRound();
      Optional<Incarnation> now = leader();
      // A leader in joint consensus never quiesces, by design: nothing to check. One outside its
      // voters hands over (even one elected after it applied its own removal), so keep going.
      if (now.isPresent() && now.get().node.membership().isJoint()) return;
      if (now.isPresent() && !now.get().node.membership().isVoter(ids.get(now.get().idx))) continue;
      quiet = now.filter(x -> followersOf(x).stream().allMatch(p -> p.node.isQuiesced()));
    }
    if (quiet.isEmpty()) {
      Optional<Incarnation> now = leader();
      if (now.isPresent() && !now.get().node.membership().isVoter(ids.get(now.get().idx)))
        throw violation(Invariant.LIVENESS, "leader " + ids.get(now.get().idx) + " of term " + now.get().node.term()
            + " is outside its voters " + now.get().node.membership() + " and never handed over in " + bound + " rounds");
      String awake = now.map(x -> followersOf(x).stream().filter(p -> !p.node.isQuiesced())
          .map(p -> ids.get(p.idx).id()).toList().toString()).orElse("no leader");
      throw violation(Invariant.LIVENESS, "the group did not quiesce in a healed network idle for " + bound
          + " rounds (leader of term " + stable.node.term() + " was " + ids.get(stable.idx) + "; awake: " + awake + ")");
    }
    Incarnation l = quiet.get();
    if (!l.node.membership().isVoter(ids.get(l.idx)) || l.node.membership().isJoint()) return;
    long term = l.node.term();
    List<Incarnation> members = followersOf(l);
    Optional<Incarnation> voter = members.stream()
        .filter(p -> p != l && l.node.membership().isVoter(ids.get(p.idx))).findFirst();
    if (voter.isEmpty()) return;
    act("liveness: a wrong report that leader " + ids.get(l.idx) + " is unreachable, to " + ids.get(voter.get().idx));
    voter.get().node.peerUnreachable(ids.get(l.idx));
    drain(voter.get());
    for (int round = 0; round < 5 * cfg.electionTicks(); round++) {
      quietRound();
      if (!l.node.isLeader() || l.node.term() != term)
        throw violation(Invariant.LIVENESS, "a wrong report that the live leader " + ids.get(l.idx) + " is unreachable"
            + " ended its leadership of term " + term);
    }
    if (l.node.membership().voters().size() < 3) return; // no quorum would survive its crash
    for (int round = 0; round < bound && !members.stream().allMatch(p -> p.node.isQuiesced()); round++) quietRound();
    act("liveness: crash leader " + ids.get(l.idx) + (l.node.isQuiesced() ? " while quiesced" : "")
        + " and report it to every member");
    if (l.node.isQuiesced()) quiescedLeaderCrashes++;
    crash(l);
    downSignals.clear();
    for (Incarnation p : members) {
      if (p == l) continue;
      p.node.peerUnreachable(ids.get(l.idx));
      drain(p);
    }
    Incarnation next = runUntilStableLeader();
    long nextTerm = next.node.term();
    proposeThree(next);
    for (int round = 0; round < 50 * cfg.electionTicks(); round++) {
      quietRound();
      if (allAppliedEverywhere(nextTerm)) return;
    }
    throw violation(Invariant.LIVENESS, "after leader " + ids.get(l.idx) + " crashed while quiesced, new leader "
        + ids.get(next.idx) + " of term " + nextTerm + " did not get its proposals applied: " + missing(nextTerm));
  }

  /** Three fresh proposals on the leader, each through its Ready loop at once. */
  private void proposeThree(Incarnation l) {
    for (int k = 0; k < 3; k++) {
      Bytes command = Bytes.utf8("c" + ++nextCommand);
      ProposeResult r = l.node.propose(command);
      if (r instanceof ProposeResult.Accepted acc) accept(acc, command);
      drain(l);
    }
  }

  /** The live members of the leader's membership: the peers that must follow it and apply its entries. */
  private List<Incarnation> followersOf(Incarnation l) {
    List<Incarnation> out = new ArrayList<>();
    for (Incarnation p : live) if (p != null && l.node.membership().contains(ids.get(p.idx))) out.add(p);
    return out;
  }

  private Incarnation runUntilStableLeader() {
    for (int round = 0; round < 100 * cfg.electionTicks(); round++) {
      quietRound();
      Optional<Incarnation> l = leader();
      if (l.isPresent()) {
        long term = l.get().node.term();
        boolean agreed = true;
        for (Incarnation p : followersOf(l.get())) {
          agreed &= p.node.term() == term && p.node.leader().equals(Optional.of(ids.get(l.get().idx)));
        }
        if (agreed) return l.get();
      }
    }
    throw violation(Invariant.LIVENESS, "no stable leader emerged in a healed, quiet network");
  }

  /** Deliver everything in flight (in order), checking after each delivery; then tick everyone once. */
  private void quietRound() {
    int guard = 0;
    while (!inflight.isEmpty()) {
      if (++guard > 100_000) throw violation(Invariant.LIVENESS, "messages never stop in a quiet network");
      ArrayList<RaftMessage> batch = new ArrayList<>(inflight);
      inflight.clear();
      for (RaftMessage m : batch) {
        deliver(m);
        check();
      }
    }
    tickAll();
    check();
  }

  private void accept(ProposeResult.Accepted acc, Bytes command) {
    Bytes before = acceptedByTerm.computeIfAbsent(acc.term(), t -> new HashMap<>()).put(acc.index(), command);
    if (before != null)
      throw violation(Invariant.LOG_MATCHING, "index " + acc.index() + " of term " + acc.term() + " accepted both "
          + before.utf8() + " and " + command.utf8());
  }

  private boolean allAppliedEverywhere(long term) {
    return missing(term).isEmpty();
  }

  private String missing(long term) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Long, Bytes> e : acceptedByTerm.getOrDefault(term, Map.of()).entrySet()) {
      long idx = e.getKey();
      Optional<Incarnation> l = leader();
      for (Incarnation p : l.isPresent() ? followersOf(l.get()) : java.util.Arrays.stream(live).filter(x -> x != null).toList()) {
        if (p.service.size() < idx || !p.service.get((int) idx - 1).equals(e.getValue()))
          sb.append(" ").append(ids.get(p.idx)).append(" lacks ").append(e.getValue().utf8()).append(" at ").append(idx);
      }
    }
    return sb.toString();
  }

  private Violation violation(Invariant inv, String detail) {
    return violation(inv, detail, null);
  }

  private Violation violation(Invariant inv, String detail, Throwable cause) {
    StringBuilder sb = new StringBuilder();
    sb.append(inv).append(" violated at step ").append(step == -1 ? "liveness" : step).append(" (").append(currentAction)
        .append(") of schedule seed=").append(seed).append(": ").append(detail).append('\n')
        .append("replay: ").append(replayCommand(seed, steps, clocks)).append('\n')
        .append("config: ").append(n).append(" peers, ").append(cfg).append('\n').append("last steps:\n");
    for (String t : trace) sb.append("  ").append(t).append('\n');
    sb.append("logs (durable):\n");
    for (int i = 0; i < n; i++) {
      MemoryLogStorage st = disks[i];
      sb.append("  ").append(ids.get(i)).append(live[i] == null ? " (down)" : " " + live[i].node.status() + " ["
          + live[i].node.membership().describe() + " from " + live[i].node.membershipIndex() + "]")
          .append(" snapshot ").append(st.snapshotMeta().describe()).append(" terms:");
      for (long k = st.firstIndex(); k <= st.lastIndex(); k++) sb.append(' ').append(st.term(k));
      sb.append('\n');
    }
    return new Violation(inv, seed, sb.toString(), cause);
  }
}
