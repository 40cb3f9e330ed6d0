package testkit.cluster;

import java.util.OptionalInt;
import java.util.SplittableRandom;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.GroupId;
import raft.RaftConfig;
import raft.core.MemoryLogStorage;
import raft.logging.Slf4jRaftLogger;
import raft.message.InstallSnapshot;
import raft.rsm.Envelope;
import testkit.sim.LabNetwork;

/**
 * The lab's kvraft tester ({@link LabKv}) in virtual time on the simulator: n servers, each a simulated Raft
 * peer ({@link LabNetwork}) plus a KV server ({@link LabKvServer}) on the shared server logic;
 * clerks ({@link LabKvClerk}) with one end per server, shuffled, and their own connectivity
 * ({@link #makeClient(int...)}). Same helpers as config.go: {@link #partition}, {@link
 * #makePartition()} (leader in the minority), {@link #shutdownServer}/{@link #startServer} with
 * the persisted state handed over as a copy, {@link #connectAll()}, {@link #logSize()}, {@link
 * #snapshotSize()}. Goroutines are {@link LabProcesses} processes.
 *
 * <p>Client RPCs follow labrpc without LongDelays: a call to a disconnected or dead server fails
 * after 0–99 ms; unreliable adds 0–26 ms and drops 10 % of requests (handler not run) and 10 %
 * of replies (handler ran); a server that dies or is cut off while handling makes the call fail
 * within 100 ms, so no positive reply ever comes from a killed server. Unlike labrpc, each
 * direction also takes {@value #LATENCY_MIN}–{@value #LATENCY_MAX} ms, so virtual time advances
 * with every operation (Raft messages themselves still travel in 0 ms when reliable).
 */
public final class LabKvCluster extends LabKv {
  static final int LATENCY_MIN = 5;
  static final int LATENCY_MAX = 10;

  /** Deliberate server bugs, for the tester's own tests. */
  public enum Fault {
    NONE,
    /** Every retry of a write gets a fresh (clientId, seq): a retried Append is applied again. */
    NO_DUPLICATE_DETECTION,
    /** A peer that believes it leads answers Gets from its local state, without the log. */
    LOCAL_READS,
    /** The server ignores maxraftstate: it never hands Raft a snapshot. */
    NO_SNAPSHOTS,
    /** Requests wait for the next 100 ms tick before reaching Raft (like replicating only on heartbeats). */
    PROPOSE_ON_TICK
  }

  private final long maxRaftState;
  private final Fault fault;
  private final LabNetwork net;
  private final SplittableRandom rand;
  private final MemoryLogStorage[] saved;
  private final LabKvServer[] servers;
  private final long[] clientRpcs;
  private final int[] snapshotsInstalled;

  private LabKvCluster(LabNetwork net, int n, boolean unreliable, long maxRaftState, Fault fault) {
    super(n, net.split(), net);
    this.rand = rand();
    this.maxRaftState = maxRaftState;
    this.fault = fault;
    this.net = net;
    this.saved = new MemoryLogStorage[n];
    this.servers = new LabKvServer[n];
    this.clientRpcs = new long[n];
    this.snapshotsInstalled = new int[n];
    net.setTrace(d -> {
      if (d.message() instanceof InstallSnapshot) snapshotsInstalled[d.to()]++;
    });
    for (int i = 0; i < n; i++) saved[i] = new MemoryLogStorage();
    for (int i = 0; i < n; i++) startServer(i);
    connectAll();
    net.setReliable(!unreliable);
  }

  /** The lab's make_config(t, n, unreliable, maxraftstate), seeded. */
  public static LabKvCluster make(int n, boolean unreliable, long maxRaftState, long seed) {
    return withFault(n, unreliable, maxRaftState, Fault.NONE, seed);
  }

  /**
   * A cluster whose servers all have {@code fault}: for showing that the checks catch it. With
   * {@link Fault#LOCAL_READS} check-quorum is off (as in the lab's Raft): otherwise a leader cut off
   * into the minority steps down within an election timeout, and whether it still answers a local
   * Get then depends on how fast the majority elected its own (seed -7071884111352601421 of
   * KvRaftLab4HarnessTest#readsWithoutTheLogAreCaught: it had stepped down, the fault went unseen).
   */
  public static LabKvCluster withFault(int n, boolean unreliable, long maxRaftState, Fault fault, long seed) {
    RaftConfig cfg = fault == Fault.LOCAL_READS ? LabNetwork.LAB_CONFIG.withCheckQuorum(false) : LabNetwork.LAB_CONFIG;
    LabNetwork net = new LabNetwork(n, cfg, seed, id -> new Slf4jRaftLogger(GroupId.of("kv"), id));
    return new LabKvCluster(net, n, unreliable, maxRaftState, fault);
  }

  @Override
  public long now() {
    return net.now();
  }

  public LabNetwork net() {
    return net;
  }

  // ---- servers and partitions ---------------------------------------------------------------

  @Override
  public void partition(int[] p1, int[] p2) {
    setSide(p1, p2);
    setSide(p2, p1);
  }

  private void setSide(int[] mine, int[] other) {
    for (int a : mine) {
      net.connect(a);
      for (int b : mine) if (a != b) net.setLink(a, b, true);
      for (int b : other) net.setLink(a, b, false);
    }
  }

  @Override
  public OptionalInt leader() {
    for (int i = 0; i < n; i++) {
      if (net.peer(i) != null && net.peer(i).node().isLeader()) return OptionalInt.of(i);
    }
    return OptionalInt.empty();
  }

  /** Cuts server i off, kills it, and keeps a copy of what it had persisted (zombie writes are lost). */
  @Override
  public void shutdownServer(int i) {
    net.disconnect(i);
    net.crash(i);
    servers[i] = null;
    saved[i] = saved[i].copy();
  }

  /** A fresh incarnation of server i on a copy of its persisted state; left disconnected from the servers. */
  @Override
  public void startServer(int i) {
    if (servers[i] != null) shutdownServer(i);
    saved[i] = saved[i].copy();
    net.disconnect(i);
    servers[i] = LabKvServer.start(i, net, saved[i], maxRaftState, fault);
  }

  @Override
  public long logSize() {
    long max = 0;
    for (MemoryLogStorage s : saved) max = Math.max(max, s.raftStateSize());
    return max;
  }

  @Override
  public long snapshotSize() {
    long max = 0;
    for (MemoryLogStorage s : saved) max = Math.max(max, s.snapshotSize());
    return max;
  }

  @Override
  public int snapshotsInstalled(int i) {
    return snapshotsInstalled[i];
  }

  @Override
  public long clientRpcTotal() {
    long t = 0;
    for (long c : clientRpcs) t += c;
    return t;
  }

  @Override
  protected long raftRpcTotal() {
    return net.rpcTotal();
  }

  // ---- clients ---------------------------------------------------------------------------------

  @Override
  public LabKvClerk makeClient(int... to) {
    int[] ends = all();
    for (int i = n - 1; i > 0; i--) {
      int j = rand.nextInt(i + 1);
      int t = ends[i];
      ends[i] = ends[j];
      ends[j] = t;
    }
    LabKvClerk ck = new LabKvClerk(this, rand.nextLong(), ends);
    connectClient(ck, to);
    return ck;
  }

  /** One labrpc Call from a clerk to a server; null means false (no reply). */
  KvReply call(LabKvClerk ck, int server, Envelope<KvCommand> request) {
    LabProcesses.Promise<KvReply> reply = procs().promise();
    LabKvServer s = servers[server];
    if (!ck.enabled(server) || s == null || !s.alive()) {
      net.schedule(rand.nextInt(100), () -> reply.complete(null));
      return procs().await(reply);
    }
    boolean unreliable = !net.reliable();
    net.schedule(latency() + (unreliable ? rand.nextInt(27) : 0), () -> {
      if (!ck.enabled(server) || !s.alive() || unreliable && rand.nextInt(1000) < 100) {
        reply.complete(null);
        return;
      }
      clientRpcs[server]++;
      failIfDead(ck, server, s, reply);
      s.handle(request, r -> {
        if (reply.isCompleted()) return;
        if (!ck.enabled(server) || !s.alive() || unreliable && rand.nextInt(1000) < 100) {
          reply.complete(null);
          return;
        }
        net.schedule(latency(), () -> reply.complete(r));
      });
    });
    return procs().await(reply);
  }

  /** labrpc's 100 ms poll: a call to a server that died or was cut off meanwhile fails. */
  private void failIfDead(LabKvClerk ck, int server, LabKvServer s, LabProcesses.Promise<KvReply> reply) {
    net.schedule(100, () -> {
      if (reply.isCompleted()) return;
      if (!ck.enabled(server) || !s.alive()) reply.complete(null);
      else failIfDead(ck, server, s, reply);
    });
  }

  private long latency() {
    return LATENCY_MIN + rand.nextInt(LATENCY_MAX - LATENCY_MIN + 1);
  }
}
