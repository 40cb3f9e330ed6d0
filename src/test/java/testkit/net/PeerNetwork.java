package testkit.net;

import akka.actor.typed.ActorRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import raft.transport.PeerTransport;
import testkit.cluster.VirtualClock;
import testkit.sim.LabNetwork;

/**
 * labrpc between actor peers: the peer-to-peer counterpart of {@link SimNetwork} (which carries
 * client requests and their replies). A {@link PeerTransport} shared by the {@code RaftPeer}s of
 * one group, with the lab's faults (lab-scenarios §1.1, the same numbers as the simulator's
 * {@link LabNetwork}):
 * <ul>
 *   <li>{@link #connect(int)}/{@link #disconnect(int)} a server (all its links, both ways) and
 *       {@link #setLink} single links for partitions; a message is delivered only if its link is
 *       up both when it is sent and when it arrives;
 *   <li>every message takes at least {@value #MIN_TRANSIT_MILLIS} ms;
 *   <li>unreliable: every message waits a uniform 0–26 ms, 10 % of requests (AppendEntries,
 *       RequestVote, InstallSnapshot, ...) are lost before their handler runs and 10 % of
 *       responses are lost (the lab's "reply lost after the handler ran");
 *   <li>long reordering: 2/3 of responses are delayed by 200 + rand(0..rand(0..2000)) ms.
 * </ul>
 * labrpc's long delays (a call to a dead server fails only after up to 7 s) have no counterpart:
 * our messages are one-way, nobody waits for a failed call. Every message is tagged with the
 * sender's and the receiver's incarnation and dropped if either was replaced since (every restart
 * gets fresh endpoints, so a crashed incarnation can never reach its successor). Every random
 * choice comes from one generator seeded by the test. Delays run on the tester's
 * {@link VirtualClock}. Counters as labrpc: requests whose handler ran and estimated bytes
 * ({@link LabNetwork#sizeOf}).
 */
public final class PeerNetwork implements PeerTransport {
  /**
   * Every message takes at least this long, even on a reliable network. The actors settle between
   * two virtual instants, so with no transit time a whole replication round (and a commit) would
   * fit in one virtual millisecond, and a lab loop that polls without sleeping once its value is
   * committed (the churn clients) would never let time pass.
   */
  static final long MIN_TRANSIT_MILLIS = 1;

  private final VirtualClock clock;
  private final SplittableRandom random;
  private final Map<PeerId, Integer> index = new HashMap<>();
  private final ActorRef<RaftPeer.Command>[] refs;
  private final int[] incarnation;
  private final boolean[] connected;
  private final boolean[][] cut;
  private final long[] rpcCount;
  private final int[] snapshotsDelivered;
  private long rpcTotal;
  private long bytes;
  private boolean reliable = true;
  private boolean longReordering;

  @SuppressWarnings("unchecked")
  public PeerNetwork(List<PeerId> peers, VirtualClock clock, SplittableRandom random) {
    this.clock = clock;
    this.random = random;
    int n = peers.size();
    for (int i = 0; i < n; i++) index.put(peers.get(i), i);
    this.refs = new ActorRef[n];
    this.incarnation = new int[n];
    this.connected = new boolean[n];
    this.cut = new boolean[n][n];
    this.rpcCount = new long[n];
    this.snapshotsDelivered = new int[n];
  }

  /** Server i's new incarnation is {@code ref}; whatever was in flight to or from the old one is lost. */
  public synchronized void register(int i, ActorRef<RaftPeer.Command> ref) {
    incarnation[i]++;
    refs[i] = ref;
  }

  /** Server i crashed. */
  public synchronized void unregister(int i) {
    incarnation[i]++;
    refs[i] = null;
  }

  public synchronized void connect(int i) {
    connected[i] = true;
  }

  public synchronized void disconnect(int i) {
    connected[i] = false;
  }

  public synchronized boolean connected(int i) {
    return connected[i];
  }

  /** Enables or cuts the link between servers a and b, both ways. */
  public synchronized void setLink(int a, int b, boolean up) {
    cut[a][b] = !up;
    cut[b][a] = !up;
  }

  public synchronized void setReliable(boolean on) {
    reliable = on;
  }

  public synchronized void setLongReordering(boolean on) {
    longReordering = on;
  }

  private boolean linkUp(int a, int b) {
    return connected[a] && connected[b] && !cut[a][b];
  }

  @Override
  public synchronized void send(RaftMessage m) {
    Integer from = index.get(m.from());
    Integer to = index.get(m.to());
    if (from == null || to == null) throw new IllegalArgumentException("not a peer of this network: " + m);
    if (!linkUp(from, to) || refs[to] == null) return; // lost: nobody is listening there
    int fromInc = incarnation[from];
    int toInc = incarnation[to];
    long delay = LabNetwork.fate(random, m, reliable, longReordering);
    if (delay < 0) return;
    clock.schedule(Math.max(MIN_TRANSIT_MILLIS, delay), () -> deliver(from, fromInc, to, toInc, m));
  }

  private synchronized void deliver(int from, int fromInc, int to, int toInc, RaftMessage m) {
    if (incarnation[from] != fromInc || incarnation[to] != toInc || refs[to] == null || !linkUp(from, to)) return;
    if (m.isRequest()) {
      rpcCount[to]++;
      rpcTotal++;
    }
    bytes += LabNetwork.sizeOf(m);
    if (m instanceof InstallSnapshot) snapshotsDelivered[to]++;
    refs[to].tell(new RaftPeer.Deliver(m));
  }

  /** Requests delivered to server i over all its incarnations (labrpc's GetCount). */
  public synchronized long rpcCount(int i) {
    return rpcCount[i];
  }

  /** InstallSnapshot messages delivered to server i over all its incarnations. */
  public synchronized int snapshotsDelivered(int i) {
    return snapshotsDelivered[i];
  }

  public synchronized long rpcTotal() {
    return rpcTotal;
  }

  public synchronized long bytesTotal() {
    return bytes;
  }
}
