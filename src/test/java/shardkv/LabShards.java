package shardkv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import testkit.cluster.LabProcesses;
import testkit.cluster.VirtualClock;

/**
 * The lab's shardkv tester (src/shardkv/config.go), written once over a few primitives so the
 * same 14 scenarios ({@link ShardKvLabTest}) run on several clusters: {@link LabShardCluster} (the
 * shipped state machines on simulated Raft peers) and {@link ActorShardCluster} (the shipped
 * {@code ShardKvServer} and {@code ShardCtrlServer} actors). A 3-replica controller and groups
 * 100, 101, 102 of 3 servers; the same helpers as config.go (join/leave, ShutdownGroup,
 * StartServer, checklogs, the challenge-1 byte total). Goroutines are {@link LabProcesses}
 * processes, time is virtual.
 */
abstract class LabShards implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabShards.class);
  static final int N_SHARDS = 10;
  static final int N_GROUPS = 3;
  static final int N = 3;
  static final long TEST_LIMIT_MILLIS = 120_000;
  static final ShardMapping MAPPING = new LabFirstByte(N_SHARDS);

  /** The lab's shardkv Clerk: retries each operation until the owning group answers it. Blocks the calling process in virtual time. */
  interface Clerk {
    /** The value of key, "" if absent. */
    String get(String key);

    void put(String key, String value);

    void append(String key, String value);
  }

  /** The lab's shardctrler Clerk: retries until the controller answers. */
  interface CtrlClerk {
    /** Configuration {@code num} (-1: the latest). */
    ShardConfig query(long num);

    /** A Join, Leave or Move; fails the test if the controller refuses it. */
    CtrlReply call(CtrlCommand c);
  }

  private final SplittableRandom rand;
  private final long maxRaftState;
  private final LabProcesses procs;
  private long t0;
  private long rpcs0;
  private String description = "";

  /** @param maxRaftState the lab's maxraftstate (-1: no snapshots) */
  protected LabShards(SplittableRandom rand, VirtualClock clock, long maxRaftState) {
    this.rand = rand;
    this.maxRaftState = maxRaftState;
    this.procs = new LabProcesses(clock, TEST_LIMIT_MILLIS, () -> null);
  }

  // ---- what a cluster provides -------------------------------------------------------------

  /** Virtual milliseconds. */
  abstract long now();

  /** Every network of the tester (Raft, clerks, groups, controller) reliable or not. */
  abstract void setReliable(boolean on);

  /** The names the configurations give group {@code group}'s servers. */
  abstract List<String> groupServers(int group);

  /** Server i of a group on its persisted state (shut down first if it runs). */
  abstract void startServer(int group, int i);

  /** Cuts the server off and kills it; what it persisted stays. */
  abstract void shutdownServer(int group, int i);

  /** The tester's own controller clerk (config.go's mck). */
  protected abstract CtrlClerk ctrl();

  /** Starts the second controller service (ctl1) and returns a clerk of it. */
  abstract CtrlClerk startCtrl1();

  /** A new clerk of the sharded store, its configurations from the real controller. */
  abstract Clerk makeClient();

  /** A new clerk of the sharded store, its configurations from {@code ctrl}. */
  abstract Clerk makeClient(CtrlClerk ctrl);

  /** The persisted Raft state of a group server (the lab's persister.RaftStateSize()), in bytes. */
  protected abstract long raftStateSize(int group, int i);

  /** The persisted snapshot of a group server (the lab's persister.SnapshotSize()), in bytes. */
  protected abstract long snapshotSize(int group, int i);

  /** Every group server's state, one line each (for failure messages). */
  abstract String describeGroups();

  /** Client and inter-group calls whose handler ran. */
  protected abstract long rpcTotal();

  /** Raft messages delivered. */
  protected abstract long raftRpcTotal();

  /** A tester failure with whatever the cluster can say of its state; {@code e} itself by default. */
  protected AssertionError explained(AssertionError e) {
    return e;
  }

  // ---- shared helpers -------------------------------------------------------------------------

  static int gid(int group) {
    return 100 + group;
  }

  /** The tester's random stream, split from the seed. */
  SplittableRandom rand() {
    return rand;
  }

  ShardMapping mapping() {
    return MAPPING;
  }

  void begin(String description) {
    this.description = description;
    LOG.info("{} ...", description);
    t0 = now();
    rpcs0 = rpcTotal();
  }

  void end() {
    procs.checkTimeout();
    procs.checkFailure();
    LOG.info(String.format("  ... Passed --  %4.1f  %d rpcs  (%s; raft msgs %d)",
        (now() - t0) / 1000.0, rpcTotal() - rpcs0, description, raftRpcTotal()));
  }

  void sleep(long ms) {
    try {
      procs.sleep(ms);
    } catch (AssertionError e) {
      throw explained(e);
    }
  }

  LabProcesses.Proc go(String name, Runnable body) {
    return procs.go(name, body);
  }

  void join(List<LabProcesses.Proc> ps) {
    try {
      procs.join(ps);
    } catch (AssertionError e) {
      throw explained(e);
    }
  }

  LabProcesses procs() {
    return procs;
  }

  /** Waits in virtual time for {@code p}. */
  <T> T awaitPromise(LabProcesses.Promise<T> p) {
    try {
      return procs.await(p);
    } catch (AssertionError e) {
      throw explained(e);
    }
  }

  long maxRaftState() {
    return maxRaftState;
  }

  /** The lab's checklogs(): no snapshot without maxraftstate; Raft state at most 8 x maxraftstate. */
  void checkLogs() {
    for (int g = 0; g < N_GROUPS; g++) {
      for (int i = 0; i < N; i++) {
        long raft = raftStateSize(g, i);
        long snap = snapshotSize(g, i);
        if (maxRaftState >= 0 && raft > 8 * maxRaftState) {
          throw new AssertionError("persister.RaftStateSize() " + raft + ", but maxraftstate " + maxRaftState
              + " (group " + gid(g) + " server " + i + ")");
        }
        if (maxRaftState < 0 && snap > 0) throw new AssertionError("maxraftstate is -1, but snapshot is non-empty!");
      }
    }
  }

  /** Challenge 1: persisted Raft state + snapshot over all group servers, in bytes. */
  long totalPersisted() {
    long t = 0;
    for (int g = 0; g < N_GROUPS; g++) for (int i = 0; i < N; i++) t += raftStateSize(g, i) + snapshotSize(g, i);
    return t;
  }

  void startGroup(int group) {
    for (int i = 0; i < N; i++) startServer(group, i);
  }

  void shutdownGroup(int group) {
    for (int i = 0; i < N; i++) shutdownServer(group, i);
  }

  /** The tester's join/leave argument: gid to server names. */
  Map<Integer, List<String>> groupsOf(int... groups) {
    TreeMap<Integer, List<String>> m = new TreeMap<>();
    for (int g : groups) m.put(gid(g), new ArrayList<>(groupServers(g)));
    return m;
  }

  void join(int group) {
    joinm(group);
  }

  void joinm(int... groups) {
    ctrl().call(new CtrlCommand.Join(new TreeMap<>(groupsOf(groups))));
  }

  void leave(int group) {
    leavem(group);
  }

  void leavem(int... groups) {
    TreeSet<Integer> gids = new TreeSet<>();
    for (int g : groups) gids.add(gid(g));
    ctrl().call(new CtrlCommand.Leave(gids));
  }

  ShardConfig query() {
    return ctrl().query(-1);
  }

  /** Stops the tester's processes; subclasses also stop their servers. */
  @Override
  public void close() {
    procs.close();
  }
}
