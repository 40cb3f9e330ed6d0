package testkit.cluster;

import raft.GroupId;
import raft.PeerId;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.logging.Slf4jRaftLogger;
import raft.message.LogEntry;
import raft.message.Snapshot;
import testkit.sim.ApplyListener;
import testkit.sim.LabNetwork;
import testkit.sim.SimPeer;
import wire.Bytes;

/**
 * The lab's Raft tester ({@link LabRaft}) on the pure core: {@link SimPeer}s over
 * {@link LabNetwork}, in virtual time, with persisted state handed over as a value on crash1/start1.
 * Single threaded, so a seed replays everything.
 */
public final class LabRaftCluster extends LabRaft {
  private final LabNetwork net;
  private final MemoryLogStorage[] saved;

  private LabRaftCluster(int n, boolean unreliable, boolean snapshot, LabNetwork net) {
    super(n, snapshot, net.split(), net);
    this.net = net;
    this.saved = new MemoryLogStorage[n];
    net.setReliable(!unreliable);
    for (int i = 0; i < n; i++) saved[i] = new MemoryLogStorage();
    for (int i = 0; i < n; i++) start1(i);
    for (int i = 0; i < n; i++) connect(i);
  }

  /** The lab's make_config(n, unreliable, snapshot), seeded. All servers start connected. */
  public static LabRaftCluster make(int n, boolean unreliable, boolean snapshot, long seed) {
    // The lab's tester counts the indexes of commands only (one(cmd) expects the n-th command at
    // index n, and the lab forbids Raft to log anything else), so its Raft appends no election
    // no-op. Pre-vote and check-quorum stay on: no lab expectation depends on them.
    LabNetwork net = new LabNetwork(n, LabNetwork.LAB_CONFIG.withNoopOnElection(false), seed, id -> new Slf4jRaftLogger(GroupId.of("lab"), id));
    return new LabRaftCluster(n, unreliable, snapshot, net);
  }

  public LabNetwork net() {
    return net;
  }

  @Override
  public long rpcTotal() {
    return net.rpcTotal();
  }

  @Override
  public long bytesTotal() {
    return net.bytesTotal();
  }

  @Override
  public long rpcCount(int i) {
    return net.rpcCount(i);
  }

  @Override
  public long now() {
    return net.now();
  }

  @Override
  public void setReliable(boolean on) {
    net.setReliable(on);
  }

  @Override
  public void setLongReordering(boolean on) {
    net.setLongReordering(on);
  }

  // ---- servers -----------------------------------------------------------------------------

  @Override
  public void connect(int i) {
    net.connect(i);
  }

  @Override
  public void disconnect(int i) {
    net.disconnect(i);
  }

  @Override
  public boolean connected(int i) {
    return net.connected(i);
  }

  @Override
  public boolean alive(int i) {
    return net.peer(i) != null;
  }

  @Override
  public void crash1(int i) {
    disconnect(i);
    net.crash(i);
    saved[i] = saved[i].copy();
  }

  @Override
  public void start1(int i) {
    crash1(i);
    saved[i] = saved[i].copy();
    restarted(i, saved[i].snapshot());
    net.start(i, saved[i], applierFor(i));
  }

  @Override
  public Start start(int i, Object cmd) {
    ProposeResult r = net.propose(i, encode(cmd));
    if (r instanceof ProposeResult.Accepted a) return new Start(a.index(), a.term(), true);
    SimPeer p = net.peer(i);
    return new Start(-1, p == null ? 0 : p.node().term(), false);
  }

  @Override
  public long term(int i) {
    SimPeer p = net.peer(i);
    return p == null ? 0 : p.node().term();
  }

  @Override
  public boolean isLeader(int i) {
    SimPeer p = net.peer(i);
    return p != null && p.node().isLeader();
  }

  @Override
  public long logSize() {
    long max = 0;
    for (MemoryLogStorage s : saved) max = Math.max(max, s.raftStateSize());
    return max;
  }

  @Override
  protected void takeSnapshot(int i, long index, Bytes data) {
    net.peer(i).snapshot(index, data);
  }

  /** Server i's checking applier, for the tester's own tests (feeding it bad applies). */
  ApplyListener applierFor(int i) {
    return new ApplyListener() {
      @Override
      public void applied(PeerId peer, LogEntry entry) {
        LabRaftCluster.this.applied(i, entry);
      }

      @Override
      public void snapshotInstalled(PeerId peer, Snapshot snap) {
        LabRaftCluster.this.snapshotInstalled(i, snap);
      }
    };
  }
}
