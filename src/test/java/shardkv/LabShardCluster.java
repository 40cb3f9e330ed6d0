package shardkv;

import raft.rsm.Replica;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import raft.GroupId;
import raft.core.MemoryLogStorage;
import raft.logging.Slf4jRaftLogger;
import raft.rsm.Envelope;
import shardctrl.CtrlCodec;
import shardctrl.CtrlReply;
import shardctrl.CtrlStateMachine;
import testkit.cluster.LabProcesses;
import testkit.sim.LabNetwork;

/**
 * The lab's shardkv tester (src/shardkv/config.go) in virtual time: a 3-replica shard controller
 * and 3 groups (gids 100, 101, 102) of 3 servers, all simulated Raft peers on one {@link
 * LabNetwork} (one clock, one seed), each running the shipped server logic ({@link LabRsmServer}:
 * raft.rsm's ServiceCore over {@link CtrlStateMachine} or {@link ShardKvStateMachine}); a second
 * controller service (ctl1, servers 12-14) for the rejection scenario. Calls between clerks and
 * servers and between groups follow labrpc without LongDelays: a call to a dead server fails after
 * 0-99 ms; unreliable adds 0-26 ms and drops 10 % of requests and 10 % of replies; each direction
 * takes 5-10 ms. Goroutines are {@link LabProcesses} processes.
 *
 * <p>Each group's leader does what the lab's servers do in background goroutines, every 100 ms
 * ({@link LabShardDuties}): when no shard is in transit, ask the controller for the next
 * configuration and propose it; pull PULLING shards from their previous owner in chunks of at most
 * {@link #CHUNK_BYTES}; ask the previous owner to delete a received shard, then log GcDone.
 */
final class LabShardCluster extends LabShards {
  static final int N_CTRL = 3;
  /** Byte bound of one pulled chunk (keys + values, estimated); keeps each log entry well under the 8 x 1000 of snapshot5B. */
  static final int CHUNK_BYTES = 2000;
  private final ShardMapping mapping;
  private static final int CTRL1_BASE = N_CTRL + N_GROUPS * N;

  private final LabNetwork net;
  private final int total = CTRL1_BASE + N_CTRL;
  private final MemoryLogStorage[] saved = new MemoryLogStorage[total];
  private final LabRsmServer<?, ?>[] servers = new LabRsmServer<?, ?>[total];
  private final LabCtrlClerk mck;
  private long rpcs;

  private LabShardCluster(LabNetwork net, boolean unreliable, long maxRaftState, ShardMapping mapping) {
    super(net.split(), net, maxRaftState);
    this.net = net;
    this.mapping = mapping;
    for (int i = 0; i < total; i++) saved[i] = new MemoryLogStorage();
    for (int i = 0; i < N_CTRL; i++) startCtrl(i);
    for (int g = 0; g < N_GROUPS; g++) startGroup(g);
    net.setReliable(!unreliable);
    this.mck = new LabCtrlClerk(this, rand().nextLong(), ctrlServers(0));
  }

  private static LabNetwork network(long seed) {
    return new LabNetwork(CTRL1_BASE + N_CTRL, N, LabNetwork.LAB_CONFIG, seed,
        id -> new Slf4jRaftLogger(GroupId.of("g" + Integer.parseInt(id.id().substring(1)) / N), id));
  }

  /** The lab's make_config(t, n, unreliable, maxraftstate), seeded. */
  static LabShardCluster make(boolean unreliable, long maxRaftState, long seed) {
    return new LabShardCluster(network(seed), unreliable, maxRaftState, MAPPING);
  }

  /** The same tester with another key-to-shard mapping (of {@value #N_SHARDS} shards). */
  static LabShardCluster make(boolean unreliable, long maxRaftState, long seed, ShardMapping mapping) {
    if (mapping.nShards() != N_SHARDS) throw new IllegalArgumentException("the tester has " + N_SHARDS + " shards");
    return new LabShardCluster(network(seed), unreliable, maxRaftState, mapping);
  }

  @Override
  ShardMapping mapping() {
    return mapping;
  }

  @Override
  long now() {
    return net.now();
  }

  LabNetwork net() {
    return net;
  }

  @Override
  void setReliable(boolean on) {
    net.setReliable(on);
  }

  @Override
  protected long rpcTotal() {
    return rpcs;
  }

  @Override
  protected long raftRpcTotal() {
    return net.rpcTotal();
  }

  /** A tester failure with every live group server's state appended (what is stuck where). */
  @Override
  protected AssertionError explained(AssertionError e) {
    if (e.getMessage() != null && e.getMessage().contains("groups:")) return e;
    return new AssertionError(e.getMessage() + " at " + net.now() + " ms; groups:" + describeGroups()
        + "\n  latest " + latestKnown(), e);
  }

  private String latestKnown() {
    LabRsmServer<?, ?> s = servers[0];
    return s == null ? "?" : ((CtrlStateMachine) s.machine()).latest().describe();
  }

  // ---- servers ------------------------------------------------------------------------------

  static int serverIndex(int group, int i) {
    return N_CTRL + group * N + i;
  }

  static String name(int server) {
    return "s" + server;
  }

  static int index(String name) {
    return Integer.parseInt(name.substring(1));
  }

  int[] ctrlServers(int service) {
    int base = service == 0 ? 0 : CTRL1_BASE;
    return new int[] {base, base + 1, base + 2};
  }

  @Override
  List<String> groupServers(int group) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < N; i++) out.add(name(serverIndex(group, i)));
    return out;
  }

  private static final Replica.Refusals<CtrlReply> CTRL_REFUSALS = new Replica.Refusals<>() {
    @Override
    public CtrlReply rejected(String reason) {
      return new CtrlReply.Rejected(reason);
    }

    @Override
    public CtrlReply sessionExpired() {
      return CtrlReply.SESSION_EXPIRED;
    }
  };

  /** The shipped server's refusals (the lab tester has no leader to be wrong about). */
  private static final Replica.Refusals<ShardKvReply> KV_REFUSALS = ShardKvServer.REPLIES;

  private void startCtrl(int server) {
    saved[server] = saved[server].copy();
    servers[server] = LabRsmServer.start(server, net, saved[server], -1, new CtrlStateMachine(N_SHARDS),
        CtrlCodec.COMMANDS, CtrlCodec.RESULTS, CTRL_REFUSALS, s -> {});
    net.connect(server);
  }

  @Override
  LabCtrlClerk startCtrl1() {
    for (int i = 0; i < N_CTRL; i++) startCtrl(CTRL1_BASE + i);
    return new LabCtrlClerk(this, rand().nextLong(), ctrlServers(1));
  }

  @Override
  void startServer(int group, int i) {
    int server = serverIndex(group, i);
    if (servers[server] != null) shutdownServer(group, i);
    saved[server] = saved[server].copy();
    LabShardDuties duties = new LabShardDuties(this, CHUNK_BYTES);
    servers[server] = LabRsmServer.start(server, net, saved[server], maxRaftState(),
        new ShardKvStateMachine(gid(group), mapping), ShardKvCodec.COMMANDS, ShardKvCodec.RESULTS, KV_REFUSALS,
        duties::tick);
    net.connect(server);
  }

  @Override
  void shutdownServer(int group, int i) {
    int server = serverIndex(group, i);
    net.disconnect(server);
    net.crash(server);
    servers[server] = null;
    saved[server] = saved[server].copy();
  }

  @Override
  protected long raftStateSize(int group, int i) {
    return saved[serverIndex(group, i)].raftStateSize();
  }

  @Override
  protected long snapshotSize(int group, int i) {
    return saved[serverIndex(group, i)].snapshotSize();
  }

  /** The state machine of a live group server (for diagnostics), or null. */
  ShardKvStateMachine machine(int group, int i) {
    LabRsmServer<?, ?> s = servers[serverIndex(group, i)];
    return s == null || !s.alive() ? null : (ShardKvStateMachine) s.machine();
  }

  @Override
  String describeGroups() {
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < N_GROUPS; g++) {
      for (int i = 0; i < N; i++) {
        ShardKvStateMachine m = machine(g, i);
        LabRsmServer<?, ?> s = servers[serverIndex(g, i)];
        b.append("\n  s").append(serverIndex(g, i)).append(s == null ? " down" : s.isLeader() ? " leader" : "")
            .append(' ').append(m == null ? "-" : m.describe());
      }
    }
    return b.toString();
  }

  // ---- controller -------------------------------------------------------------------------

  @Override
  protected LabCtrlClerk ctrl() {
    return mck;
  }

  // ---- clients ------------------------------------------------------------------------------

  @Override
  LabShardClerk makeClient() {
    return new LabShardClerk(this, rand().nextLong(), new LabCtrlClerk(this, rand().nextLong(), ctrlServers(0)));
  }

  @Override
  LabShardClerk makeClient(CtrlClerk ctrl) {
    return new LabShardClerk(this, rand().nextLong(), (LabCtrlClerk) ctrl);
  }

  // ---- the network between clerks and servers and between groups ------------------------------

  /** A request's handler at a server: proposals go through its log, pulls read its applied state. */
  @SuppressWarnings("unchecked")
  private void handle(LabRsmServer<?, ?> s, Object request, Consumer<Object> reply) {
    if (request instanceof ShardPull.Request p) {
      reply.accept(((ShardKvStateMachine) s.machine()).pull(p));
    } else if (request instanceof Envelope<?> e) {
      ((LabRsmServer<Object, Object>) s).propose((Envelope<Object>) e, reply::accept);
    } else {
      throw new IllegalArgumentException("unknown request " + request);
    }
  }

  /**
   * One labrpc call, asynchronously: {@code done} gets the reply, or null (no reply: dead server,
   * lost message, not the leader, lost entry, or 2 s without an answer), exactly once.
   */
  void call(int to, Object request, Consumer<Object> done) {
    boolean[] finished = {false};
    Consumer<Object> once = r -> {
      if (!finished[0]) {
        finished[0] = true;
        done.accept(r);
      }
    };
    LabRsmServer<?, ?> s = servers[to];
    if (s == null || !s.alive()) {
      net.schedule(rand().nextInt(100), () -> once.accept(null));
      return;
    }
    boolean unreliable = !net.reliable();
    net.schedule(2000, () -> once.accept(null));
    net.schedule(latency() + (unreliable ? rand().nextInt(27) : 0), () -> {
      if (!s.alive() || unreliable && rand().nextInt(1000) < 100) {
        once.accept(null);
        return;
      }
      rpcs++;
      failIfDead(s, finished, once);
      handle(s, request, r -> {
        if (finished[0]) return;
        if (r == null || !s.alive() || unreliable && rand().nextInt(1000) < 100) {
          once.accept(null);
          return;
        }
        net.schedule(latency(), () -> once.accept(r));
      });
    });
  }

  /** One call from a process (or the test thread), waiting in virtual time. */
  Object await(int to, Object request) {
    LabProcesses.Promise<Object> p = procs().promise();
    call(to, request, p::complete);
    return awaitPromise(p);
  }

  private void failIfDead(LabRsmServer<?, ?> s, boolean[] finished, Consumer<Object> once) {
    net.schedule(100, () -> {
      if (finished[0]) return;
      if (!s.alive()) once.accept(null);
      else failIfDead(s, finished, once);
    });
  }

  private long latency() {
    return 5 + rand().nextInt(6);
  }
}
