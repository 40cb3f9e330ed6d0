package testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.RaftLogger;
import raft.message.AppendEntries;
import raft.message.InstallSnapshot;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import wire.Bytes;

/**
 * The lab's labrpc network in virtual time: a discrete-event scheduler (a priority queue of
 * (virtual millis, sequence number, event)) carrying {@link RaftMessage}s between {@link SimPeer}s.
 * All randomness comes from one {@link SplittableRandom}, so a seed replays a whole run. Single
 * threaded: only the thread that calls {@link #runUntil(long)} (or one that it hands control to)
 * touches it.
 *
 * <p>Faults, as in labrpc: {@link #connect(int)}/{@link #disconnect(int)} enable or disable the
 * links between a server and the others, both ways, and {@link #setLink} cuts single links for partitions (a message is delivered only if its link is
 * enabled both when sent and when it arrives); {@link #setReliable(boolean) unreliable} gives
 * every message a 0–26 ms delay, drops 10 % of requests before their handler runs and 10 % of
 * responses (the lab's "reply lost after the handler ran"); {@link #setLongReordering(boolean)
 * long reordering} delays 2/3 of responses by 200 + rand(0..rand(0..2000)) ms. Messages to a
 * disconnected or crashed server are simply lost: ours are one-way, so there is no caller to
 * time out. Every message is tagged with the sender's and the receiver's incarnation and dropped
 * if either has been replaced since, so a crashed incarnation can never reach its successor.
 *
 * <p>Counters: {@link #rpcCount(int)} counts requests whose handler ran (labrpc's GetCount);
 * {@link #bytesTotal()} sums the estimated wire size of delivered requests and responses
 * (entries' {@link LogEntry#sizeBytes()} plus snapshot data plus a fixed {@value #HEADER_BYTES}-byte
 * header; an estimate, not a CBOR encoding).
 */
public final class LabNetwork implements testkit.cluster.VirtualClock {
  /** Virtual milliseconds between two ticks of one peer (the production tick-interval). */
  public static final long TICK_MILLIS = 100;
  /**
   * The Raft settings of the lab scenarios: heartbeats every tick (10 per second, the lab's limit)
   * and elections after 5–10 ticks (0.5–1 s) instead of the production 10–20 (1–2 s). The lab asks
   * for a new leader within 5 s and gives one() 10 s. With 1–2 s, when the leader is cut off on the
   * unreliable network the two survivors split their vote in about a quarter of the rounds (a fifth
   * of vote requests or answers lost, a tenth of timeouts equal), and only about six rounds fit in
   * 10 s: RaftStress found it twice in 5,600 runs (snapshotInstallUnreliable3D, seed
   * -1173323372617022423: s0 and s2 split terms 9 to 14). Twice the rounds make that about 10^-6.
   */
  public static final RaftConfig LAB_CONFIG = RaftConfig.defaults().withElectionTicks(5);
  /** Fixed per-message overhead in the byte estimate (type, term, from, to, positions). */
  public static final int HEADER_BYTES = 40;

  private record Event(long time, long seq, Runnable action) {}

  /** One delivered message, as seen by a {@link #setTrace trace}: sent at sentAt to incarnation toIncarnation. */
  public record Delivery(long sentAt, long time, int from, int to, int toIncarnation, RaftMessage message) {}

  private java.util.function.Consumer<Delivery> trace = d -> {};

  private final PriorityQueue<Event> events =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final SplittableRandom random;
  private final RaftConfig cfg;
  private final java.util.function.Function<PeerId, RaftLogger> loggers;
  private final int n;
  /** Servers 0..n-1 form consecutive Raft groups of this many voters each (n: one group). */
  private final int groupSize;
  private final SimPeer[] peers;
  private final int[] incarnation;
  private final boolean[] connected;
  /** Links cut by a partition, both ways; independent of {@link #connected}. */
  private final boolean[][] cut;
  private final long[] rpcCount;
  private long now;
  private long seq;
  private long bytes;
  private long rpcTotal;
  private boolean reliable = true;
  private boolean longReordering;

  public LabNetwork(int n, RaftConfig cfg, long seed, java.util.function.Function<PeerId, RaftLogger> loggers) {
    this(n, n, cfg, seed, loggers);
  }

  /**
   * Several Raft groups on one virtual clock (the shardkv tester): servers {@code [k*groupSize,
   * (k+1)*groupSize)} are the voters of group k.
   */
  public LabNetwork(int n, int groupSize, RaftConfig cfg, long seed,
      java.util.function.Function<PeerId, RaftLogger> loggers) {
    if (groupSize < 1 || n % groupSize != 0) throw new IllegalArgumentException(n + " servers in groups of " + groupSize);
    this.n = n;
    this.groupSize = groupSize;
    this.cfg = cfg;
    this.loggers = loggers;
    this.random = new SplittableRandom(seed);
    this.peers = new SimPeer[n];
    this.incarnation = new int[n];
    this.connected = new boolean[n];
    this.cut = new boolean[n][n];
    this.rpcCount = new long[n];
  }

  public static PeerId id(int i) {
    return PeerId.of("s" + i);
  }

  private static int index(PeerId id) {
    return Integer.parseInt(id.id().substring(1));
  }

  // ---- time -----------------------------------------------------------------------------

  @Override
  public long now() {
    return now;
  }

  /** A new random stream for a caller (tester, client), split off the network's seeded one. */
  public SplittableRandom split() {
    return random.split();
  }

  public SplittableRandom random() {
    return random;
  }

  /** Runs {@code action} {@code delayMillis} of virtual time from now. */
  @Override
  public void schedule(long delayMillis, Runnable action) {
    events.add(new Event(now + Math.max(0, delayMillis), seq++, action));
  }

  /** Processes every event due up to {@code time} in order, then sets the clock to {@code time}. */
  @Override
  public void runUntil(long time) {
    while (!events.isEmpty() && events.peek().time <= time) {
      Event e = events.poll();
      now = e.time;
      e.action.run();
    }
    if (time > now) now = time;
  }

  // ---- servers ----------------------------------------------------------------------------

  public int size() {
    return n;
  }

  /** The live incarnation of server i, or null if crashed. */
  public SimPeer peer(int i) {
    return peers[i];
  }

  /**
   * Starts a new incarnation of server i on {@code storage} (handed over as a value), with a new
   * endpoint identity. Does not connect it. Any previous incarnation is crashed first.
   */
  public void start(int i, MemoryLogStorage storage, ApplyListener listener) {
    crash(i);
    int inc = ++incarnation[i];
    SimPeer peer = SimPeer.start(id(i), votersOf(i), cfg, storage, random.nextLong(), loggers.apply(id(i)), listener);
    peers[i] = peer;
    long phase = random.nextLong(TICK_MILLIS);
    schedule(phase, () -> tickLoop(i, inc));
    send(i, peer.drain());
  }

  private Set<PeerId> votersOf(int i) {
    Set<PeerId> ids = new TreeSet<>();
    int first = i / groupSize * groupSize;
    for (int j = first; j < first + groupSize; j++) ids.add(id(j));
    return Set.copyOf(ids);
  }

  /** Crashes server i: its incarnation is gone and everything in flight to or from it is lost. */
  public void crash(int i) {
    if (peers[i] == null) return;
    peers[i] = null;
    incarnation[i]++;
  }

  private void tickLoop(int i, int inc) {
    if (incarnation[i] != inc || peers[i] == null) return;
    SimPeer peer = peers[i];
    peer.tick();
    send(i, peer.drain());
    schedule(TICK_MILLIS, () -> tickLoop(i, inc));
  }

  /** The lab's Start(): proposes on server i and sends whatever the proposal produced. */
  public ProposeResult propose(int i, Bytes command) {
    SimPeer peer = peers[i];
    if (peer == null) return new ProposeResult.NotLeader(java.util.Optional.empty());
    ProposeResult r = peer.propose(command);
    send(i, peer.drain());
    return r;
  }

  /** A linearizable read on server i ({@code RaftNode.readIndex}); the answer reaches its listener. */
  public void readIndex(int i, long id) {
    SimPeer peer = peers[i];
    if (peer == null) return;
    peer.node().readIndex(id);
    send(i, peer.drain());
  }

  // ---- links ------------------------------------------------------------------------------

  public void connect(int i) {
    connected[i] = true;
  }

  public void disconnect(int i) {
    connected[i] = false;
  }

  public boolean connected(int i) {
    return connected[i];
  }

  public void setReliable(boolean reliable) {
    this.reliable = reliable;
  }

  public boolean reliable() {
    return reliable;
  }

  public void setLongReordering(boolean on) {
    this.longReordering = on;
  }

  /** Enables or cuts the link between servers a and b, both ways (the kvraft tester's partition()). */
  public void setLink(int a, int b, boolean up) {
    cut[a][b] = !up;
    cut[b][a] = !up;
  }

  private boolean linkUp(int a, int b) {
    return connected[a] && connected[b] && !cut[a][b];
  }

  // ---- delivery ---------------------------------------------------------------------------

  private void send(int from, List<RaftMessage> messages) {
    for (RaftMessage m : messages) send(from, m);
  }

  private void send(int from, RaftMessage m) {
    int to = index(m.to());
    if (!linkUp(from, to) || peers[to] == null) return; // lost: nobody is listening there
    int fromInc = incarnation[from];
    int toInc = incarnation[to];
    long delay = fate(random, m, reliable, longReordering);
    if (delay < 0) return;
    long sentAt = now;
    schedule(delay, () -> deliver(sentAt, from, fromInc, to, toInc, m));
  }

  private void deliver(long sentAt, int from, int fromInc, int to, int toInc, RaftMessage m) {
    if (incarnation[from] != fromInc || incarnation[to] != toInc || peers[to] == null || !linkUp(from, to)) return;
    SimPeer peer = peers[to];
    trace.accept(new Delivery(sentAt, now, from, to, toInc, m));
    if (m.isRequest()) {
      rpcCount[to]++;
      rpcTotal++;
    }
    bytes += sizeOf(m);
    peer.step(m);
    send(to, peer.drain());
  }

  /**
   * labrpc's fate for one message: its delay in ms, or -1 if it is lost. Unreliable: 0–26 ms and
   * 10 % lost (a request before its handler ran, a response after it); long reordering: 2/3 of
   * responses 200 + rand(0..rand(0..2000)) ms later. Draws nothing when reliable.
   */
  public static long fate(SplittableRandom random, RaftMessage m, boolean reliable, boolean longReordering) {
    long delay = 0;
    if (!reliable) {
      delay = random.nextInt(27);
      if (random.nextInt(1000) < 100) return -1;
    }
    if (!m.isRequest() && longReordering && random.nextInt(900) < 600) {
      delay += 200 + random.nextInt(1 + random.nextInt(2001));
    }
    return delay;
  }

  /** Estimated wire size: fixed header plus entry payloads plus snapshot data. */
  public static long sizeOf(RaftMessage m) {
    long size = HEADER_BYTES;
    if (m instanceof AppendEntries a) for (LogEntry e : a.entries()) size += e.sizeBytes();
    if (m instanceof InstallSnapshot s) size += s.snapshot().data().size() + 16;
    return size;
  }

  /** Observes every delivered message (for the network's own tests). */
  public void setTrace(java.util.function.Consumer<Delivery> trace) {
    this.trace = trace;
  }

  /** The current incarnation number of server i (bumped by every crash and every start). */
  public int incarnation(int i) {
    return incarnation[i];
  }

  // ---- counters ---------------------------------------------------------------------------

  /** Requests whose handler ran on server i, over all its incarnations (labrpc's GetCount). */
  public long rpcCount(int i) {
    return rpcCount[i];
  }

  public long rpcTotal() {
    return rpcTotal;
  }

  public long bytesTotal() {
    return bytes;
  }

  /** Currently live incarnation numbers, for diagnostics. */
  public List<Integer> incarnations() {
    List<Integer> out = new ArrayList<>();
    for (int x : incarnation) out.add(x);
    return out;
  }
}
