package testkit.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.Slf4jRaftLogger;
import raft.message.LogEntry;
import raft.message.Snapshot;
import testkit.sim.ApplyListener;
import testkit.sim.LabNetwork;
import testkit.sim.SimPeer;
import wire.Bytes;

/**
 * The lab's Raft tester (src/raft/config.go) over {@link LabNetwork}, in virtual time. Same
 * helpers, same numbers: {@link #checkOneLeader()}, {@link #one(Object, int, boolean)},
 * {@link #wait(long, int, long)}, crash1/start1 with persisted state handed over as a value,
 * and the lab's checking appliers (divergent commits and out-of-order applies are fatal; in
 * snapshot mode the tester snapshots every 10 entries). {@link #sleep(long)} advances virtual
 * time, processing network events. Commands are {@link Integer}s or {@link String}s.
 *
 * <p>The lab's goroutines are cooperative processes ({@link #go(String, Runnable)}, see
 * {@link LabProcesses}), so a seed still replays everything.
 */
public final class LabRaftCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabRaftCluster.class);
  public static final long ELECTION_TIMEOUT = 1000;
  public static final int SNAPSHOT_INTERVAL = 10;
  public static final int MAX_LOG_SIZE = 2000;
  public static final long TEST_LIMIT_MILLIS = 120_000;

  /** What Start() returns in the lab: (index, term, isLeader). */
  public record Start(long index, long term, boolean isLeader) {}

  /** nCommitted's answer: how many servers applied the index, and the command. */
  public record Committed(int count, Object command) {}

  private final int n;
  private final boolean snapshot;
  private final LabNetwork net;
  private final SplittableRandom rand;
  private final MemoryLogStorage[] saved;
  private final List<Map<Long, Object>> logs = new ArrayList<>();
  private final long[] lastApplied;
  private long maxIndex;
  private volatile String applyErr;
  private final LabProcesses procs;
  private final long realStart = System.nanoTime();

  private String description = "";
  private long t0;
  private long rpcs0;
  private long bytes0;
  private long maxIndex0;

  private LabRaftCluster(int n, boolean unreliable, boolean snapshot, long seed) {
    this.n = n;
    this.snapshot = snapshot;
    // The lab's tester counts the indexes of commands only (one(cmd) expects the n-th command at
    // index n, and the lab forbids Raft to log anything else), so its Raft appends no election
    // no-op. Pre-vote and check-quorum stay on: no lab expectation depends on them.
    this.net = new LabNetwork(n, LabNetwork.LAB_CONFIG.withNoopOnElection(false), seed, id -> new Slf4jRaftLogger(GroupId.of("lab"), id));
    this.rand = net.split();
    this.saved = new MemoryLogStorage[n];
    this.lastApplied = new long[n];
    this.procs = new LabProcesses(net, TEST_LIMIT_MILLIS, () -> applyErr);
    net.setReliable(!unreliable);
    for (int i = 0; i < n; i++) {
      logs.add(new HashMap<>());
      saved[i] = new MemoryLogStorage();
    }
    for (int i = 0; i < n; i++) start1(i);
    for (int i = 0; i < n; i++) connect(i);
  }

  /** The lab's make_config(n, unreliable, snapshot), seeded. All servers start connected. */
  public static LabRaftCluster make(int n, boolean unreliable, boolean snapshot, long seed) {
    return new LabRaftCluster(n, unreliable, snapshot, seed);
  }

  public int n() {
    return n;
  }

  public LabNetwork net() {
    return net;
  }

  /** The tester's own random stream (the lab's rand.Int() calls), split from the seed. */
  public SplittableRandom rand() {
    return rand;
  }

  // ---- begin / end -------------------------------------------------------------------------

  public void begin(String description) {
    this.description = description;
    LOG.info("{} ...", description);
    t0 = net.now();
    rpcs0 = net.rpcTotal();
    bytes0 = net.bytesTotal();
    maxIndex0 = maxIndex;
  }

  /** Checks the time limit and logs the lab's "Passed -- seconds peers RPCs bytes agreements" line. */
  public void end() {
    procs.checkTimeout();
    procs.checkFailure();
    double secs = (net.now() - t0) / 1000.0;
    LOG.info(String.format("  ... Passed --  %4.1f  %d %4d %7d %4d  (%s; %d ms real)", secs, n,
        net.rpcTotal() - rpcs0, net.bytesTotal() - bytes0, maxIndex - maxIndex0, description,
        (System.nanoTime() - realStart) / 1_000_000));
  }

  public long rpcTotal() {
    return net.rpcTotal();
  }

  public long bytesTotal() {
    return net.bytesTotal();
  }

  public long rpcCount(int i) {
    return net.rpcCount(i);
  }

  public long now() {
    return net.now();
  }

  // ---- time and processes -------------------------------------------------------------------

  /** Advances virtual time by ms (in a process: yields until then). */
  public void sleep(long ms) {
    procs.sleep(ms);
  }

  /** Starts {@code body} as a process (the lab's goroutine); it first runs at the current virtual time. */
  public LabProcesses.Proc go(String name, Runnable body) {
    return procs.go(name, body);
  }

  /** Sleeps in virtual time until every given process has returned. */
  public void join(List<LabProcesses.Proc> ps) {
    procs.join(ps);
  }

  @Override
  public void close() {
    procs.close();
  }

  // ---- servers -----------------------------------------------------------------------------

  public void connect(int i) {
    net.connect(i);
  }

  public void disconnect(int i) {
    net.disconnect(i);
  }

  public boolean connected(int i) {
    return net.connected(i);
  }

  public boolean alive(int i) {
    return net.peer(i) != null;
  }

  /** Disconnects server i, kills it, and keeps a copy of what it had persisted. */
  public void crash1(int i) {
    disconnect(i);
    net.crash(i);
    saved[i] = saved[i].copy();
  }

  /** Restarts server i from its persisted state with a fresh identity; does not connect it. */
  public void start1(int i) {
    crash1(i);
    saved[i] = saved[i].copy();
    lastApplied[i] = 0;
    Snapshot snap = saved[i].snapshot();
    if (snapshot && !snap.isEmpty()) {
      String err = ingestSnap(i, snap.data(), snap.meta().index());
      if (err != null) throw new AssertionError(err);
    }
    net.start(i, saved[i], new Applier(i));
  }

  public Start start(int i, Object cmd) {
    ProposeResult r = net.propose(i, encode(cmd));
    if (r instanceof ProposeResult.Accepted a) return new Start(a.index(), a.term(), true);
    SimPeer p = net.peer(i);
    return new Start(-1, p == null ? 0 : p.node().term(), false);
  }

  public long term(int i) {
    SimPeer p = net.peer(i);
    return p == null ? 0 : p.node().term();
  }

  public boolean isLeader(int i) {
    SimPeer p = net.peer(i);
    return p != null && p.node().isLeader();
  }

  /** The lab's LogSize(): the largest persisted Raft state among the servers. */
  public long logSize() {
    long max = 0;
    for (MemoryLogStorage s : saved) max = Math.max(max, s.raftStateSize());
    return max;
  }

  // ---- the appliers --------------------------------------------------------------------------

  /** Server i's checking applier, for the tester's own tests (feeding it bad applies). */
  ApplyListener applierFor(int i) {
    return new Applier(i);
  }

  private final class Applier implements ApplyListener {
    private final int i;

    Applier(int i) {
      this.i = i;
    }

    @Override
    public void applied(PeerId peer, LogEntry entry) {
      if (applyErr != null) return;
      long index = entry.index();
      Object v = decode(entry.command());
      String err = null;
      if (index != lastApplied[i] + 1)
        err = "server " + i + " apply out of order, expected index " + (lastApplied[i] + 1) + ", got " + index;
      if (err == null) err = checkLogs(i, index, v);
      if (err != null) {
        applyErr = err;
        return;
      }
      lastApplied[i] = index;
      if (snapshot && (index + 1) % SNAPSHOT_INTERVAL == 0) {
        List<Object> xlog = new ArrayList<>();
        for (long j = 0; j <= index; j++) xlog.add(logs.get(i).get(j));
        net.peer(i).snapshot(index, encodeSnapshot(index, xlog));
      }
    }

    @Override
    public void snapshotInstalled(PeerId peer, Snapshot snap) {
      if (applyErr != null) return;
      if (!snapshot) {
        applyErr = "server " + i + " delivered a snapshot although the tester never took one";
        return;
      }
      if (snap.meta().index() < lastApplied[i]) {
        applyErr = "server " + i + " installed snapshot " + snap.meta().index() + " behind applied index " + lastApplied[i];
        return;
      }
      String err = ingestSnap(i, snap.data(), snap.meta().index());
      if (err != null) applyErr = err;
    }
  }

  private String ingestSnap(int i, Bytes data, long snapshotIndex) {
    DecodedSnapshot d;
    try {
      d = decodeSnapshot(data);
    } catch (RuntimeException e) {
      return "snapshot decode error: " + e;
    }
    if (d.index != snapshotIndex) return "server " + i + " snapshot doesn't match m.SnapshotIndex";
    Map<Long, Object> log = new HashMap<>();
    for (int j = 0; j < d.xlog.size(); j++) log.put((long) j, d.xlog.get(j));
    logs.set(i, log);
    lastApplied[i] = d.index;
    return null;
  }

  /** Records server i's command at index; a different command at the same index anywhere is fatal. */
  private String checkLogs(int i, long index, Object v) {
    for (int j = 0; j < logs.size(); j++) {
      Map<Long, Object> other = logs.get(j);
      if (other.containsKey(index) && !Objects.equals(other.get(index), v))
        return "commit index=" + index + " server=" + i + " " + v + " != server=" + j + " " + other.get(index);
    }
    boolean prevOk = logs.get(i).containsKey(index - 1);
    logs.get(i).put(index, v);
    if (index > maxIndex) maxIndex = index;
    if (index > 1 && !prevOk) return "server " + i + " apply out of order " + index;
    return null;
  }

  // ---- the checks ------------------------------------------------------------------------------

  public int checkOneLeader() {
    for (int iters = 0; iters < 10; iters++) {
      sleep(450 + rand.nextInt(100));
      TreeMap<Long, List<Integer>> leaders = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        if (connected(i) && isLeader(i)) leaders.computeIfAbsent(term(i), k -> new ArrayList<>()).add(i);
      }
      for (Map.Entry<Long, List<Integer>> e : leaders.entrySet()) {
        if (e.getValue().size() > 1)
          throw new AssertionError("term " + e.getKey() + " has " + e.getValue().size() + " (>1) leaders");
      }
      if (!leaders.isEmpty()) return leaders.lastEntry().getValue().get(0);
    }
    throw new AssertionError("expected one leader, got none");
  }

  public long checkTerms() {
    long term = -1;
    for (int i = 0; i < n; i++) {
      if (!connected(i)) continue;
      long xterm = term(i);
      if (term == -1) term = xterm;
      else if (term != xterm) throw new AssertionError("servers disagree on term");
    }
    return term;
  }

  public void checkNoLeader() {
    for (int i = 0; i < n; i++) {
      if (connected(i) && isLeader(i))
        throw new AssertionError("expected no leader among connected servers, but " + i + " claims to be leader");
    }
  }

  public Committed nCommitted(long index) {
    procs.checkFailure();
    int count = 0;
    Object cmd = null;
    for (int i = 0; i < n; i++) {
      Map<Long, Object> log = logs.get(i);
      if (log.containsKey(index)) {
        Object v = log.get(index);
        if (count > 0 && !Objects.equals(cmd, v))
          throw new AssertionError("committed values do not match: index " + index + ", " + cmd + ", " + v);
        count++;
        cmd = v;
      }
    }
    return new Committed(count, cmd);
  }

  /** Waits (30 polls, 10 ms doubling to 1 s) for n servers to commit index; -1 if a term passed startTerm. */
  public Object wait(long index, int nServers, long startTerm) {
    long to = 10;
    for (int iters = 0; iters < 30; iters++) {
      if (nCommitted(index).count >= nServers) break;
      sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (int i = 0; i < n; i++) if (alive(i) && term(i) > startTerm) return -1;
      }
    }
    Committed c = nCommitted(index);
    if (c.count < nServers)
      throw new AssertionError("only " + c.count + " decided for index " + index + "; wanted " + nServers);
    return c.command;
  }

  /** Agreement on cmd by at least expectedServers within 10 s (2 s per attempt, polls every 20 ms). */
  public long one(Object cmd, int expectedServers, boolean retry) {
    long start = net.now();
    int starts = 0;
    while (net.now() - start < 10_000 && !procs.closed()) {
      long index = -1;
      for (int si = 0; si < n; si++) {
        starts = (starts + 1) % n;
        if (connected(starts) && alive(starts)) {
          Start s = start(starts, cmd);
          if (s.isLeader) {
            index = s.index;
            break;
          }
        }
      }
      if (index != -1) {
        long t1 = net.now();
        while (net.now() - t1 < 2000) {
          Committed c = nCommitted(index);
          if (c.count > 0 && c.count >= expectedServers && Objects.equals(c.command, cmd)) return index;
          sleep(20);
        }
        if (!retry) throw new AssertionError("one(" + brief(cmd) + ") failed to reach agreement");
      } else {
        sleep(50);
      }
    }
    procs.checkOpen();
    throw new AssertionError("one(" + brief(cmd) + ") failed to reach agreement");
  }

  private static String brief(Object cmd) {
    String s = String.valueOf(cmd);
    return s.length() > 20 ? s.substring(0, 20) + "…" : s;
  }

  // ---- encodings ---------------------------------------------------------------------------------

  public static Bytes encode(Object cmd) {
    if (cmd instanceof Integer x) return Bytes.utf8("i" + x);
    if (cmd instanceof String s) return Bytes.utf8("s" + s);
    throw new IllegalArgumentException("commands are ints or strings, not " + cmd);
  }

  public static Object decode(Bytes b) {
    String s = b.utf8();
    if (s.startsWith("i")) return Integer.parseInt(s.substring(1));
    if (s.startsWith("s")) return s.substring(1);
    throw new IllegalArgumentException("not a tester command: " + b);
  }

  private record DecodedSnapshot(long index, List<Object> xlog) {}

  /** The lab's snapshot: the index, then the command list 0..index (entry 0 is nil). */
  static Bytes encodeSnapshot(long index, List<Object> xlog) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buf);
      out.writeLong(index);
      out.writeInt(xlog.size());
      for (Object o : xlog) {
        if (o == null) {
          out.writeByte(0);
        } else if (o instanceof Integer x) {
          out.writeByte(1);
          out.writeInt(x);
        } else {
          byte[] b = ((String) o).getBytes(StandardCharsets.UTF_8);
          out.writeByte(2);
          out.writeInt(b.length);
          out.write(b);
        }
      }
      out.flush();
      return Bytes.wrap(buf.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DecodedSnapshot decodeSnapshot(Bytes data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data.toArray()));
      long index = in.readLong();
      int size = in.readInt();
      List<Object> xlog = new ArrayList<>(size);
      for (int j = 0; j < size; j++) {
        int kind = in.readByte();
        if (kind == 0) xlog.add(null);
        else if (kind == 1) xlog.add(in.readInt());
        else {
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          xlog.add(new String(b, StandardCharsets.UTF_8));
        }
      }
      return new DecodedSnapshot(index, xlog);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
