package testkit.cluster;

import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kvraft tester (src/kvraft/config.go), written once over a few primitives so the same
 * lab 4 scenarios run on several clusters: {@link LabKvCluster} (the server logic on the
 * simulated Raft network) and {@link ActorKvCluster} (the shipped {@code KvServer} actors). Same
 * helpers as config.go: {@link #partition}, {@link #makePartition()} (leader in the minority),
 * {@link #shutdownServer}/{@link #startServer}, {@link #connectAll()}, {@link #makeClient},
 * {@link #logSize()}, {@link #snapshotSize()}. Goroutines are {@link LabProcesses} processes, time
 * is virtual.
 */
public abstract class LabKv implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabKv.class);
  public static final long ELECTION_TIMEOUT = 1000;
  public static final long TEST_LIMIT_MILLIS = 120_000;

  /**
   * The lab's Clerk: retries each operation until a server answers it (forever, as the lab's
   * clerk does), a write under the same (clientId, seq) every time. Called from a tester process
   * or the test thread; each call yields in virtual time.
   */
  public interface Clerk {
    /** The value of key, "" if absent. */
    String get(String key);

    void put(String key, String value);

    void append(String key, String value);

    /** Enables exactly the ends to the servers in {@code to} (the lab's ConnectClient). */
    void connectOnly(int... to);
  }

  protected final int n;
  private final SplittableRandom rand;
  private final LabProcesses procs;
  private final long realStart = System.nanoTime();
  private long ops;
  private String description = "";
  private long t0;
  private long rpcs0;
  private long ops0;

  /** @param rand the tester's own random stream (split from the seed) */
  protected LabKv(int n, SplittableRandom rand, VirtualClock clock) {
    this.n = n;
    this.rand = rand;
    this.procs = new LabProcesses(clock, TEST_LIMIT_MILLIS, () -> null);
  }

  // ---- what a cluster provides -------------------------------------------------------------

  /** Virtual milliseconds. */
  public abstract long now();

  /** Full connectivity inside p1 and inside p2, none across (client ends are not touched). */
  public abstract void partition(int[] p1, int[] p2);

  /** The lab's Leader(): the first server whose Raft believes it leads. */
  public abstract OptionalInt leader();

  /** Cuts server i off, kills it, and keeps what it had persisted. */
  public abstract void shutdownServer(int i);

  /** A fresh incarnation of server i on its persisted state; left disconnected from the servers. */
  public abstract void startServer(int i);

  /** A new clerk with ends to every server, shuffled, enabled only towards {@code to}. */
  public abstract Clerk makeClient(int... to);

  /** The lab's LogSize(): the largest persisted Raft state (hard state and log after the snapshot). */
  public abstract long logSize();

  /** The lab's SnapshotSize(): the largest persisted snapshot. */
  public abstract long snapshotSize();

  /** InstallSnapshot messages delivered to server i so far. */
  public abstract int snapshotsInstalled(int i);

  /** Client requests whose handler ran, over all servers. */
  public abstract long clientRpcTotal();

  /** Raft messages delivered, over all servers. */
  protected abstract long raftRpcTotal();

  // ---- shared helpers -------------------------------------------------------------------------

  public int n() {
    return n;
  }

  public int[] all() {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  /** The tester's random stream (the lab's rand.Int()), split from the seed. */
  public SplittableRandom rand() {
    return rand;
  }

  /** Every server connected to every other. */
  public void connectAll() {
    partition(all(), new int[0]);
  }

  /** Enables exactly the clerk's ends to the servers in {@code to}. */
  public void connectClient(Clerk ck, int... to) {
    ck.connectOnly(to);
  }

  /** The lab's make_partition(): {p1 majority, p2 minority} with the current leader last in p2. */
  public int[][] makePartition() {
    int l = leader().orElse(0);
    int[] p1 = new int[n / 2 + 1];
    int[] p2 = new int[n / 2];
    int j = 0;
    for (int i = 0; i < n; i++) {
      if (i == l) continue;
      if (j < p1.length) p1[j] = i;
      else p2[j - p1.length] = i;
      j++;
    }
    p2[p2.length - 1] = l;
    return new int[][] {p1, p2};
  }

  // ---- begin / end, time, processes -------------------------------------------------------

  public void begin(String description) {
    this.description = description;
    LOG.info("{} ...", description);
    t0 = now();
    rpcs0 = clientRpcTotal();
    ops0 = opsCompleted();
  }

  /** Checks failures and the time limit; logs the lab's "Passed -- seconds servers RPCs ops" line. */
  public void end() {
    procs.checkTimeout();
    procs.checkFailure();
    LOG.info(String.format("  ... Passed --  %4.1f  %d %5d %5d  (%s; raft msgs %d; %d ms real)",
        (now() - t0) / 1000.0, n, clientRpcTotal() - rpcs0, opsCompleted() - ops0, description, raftRpcTotal(),
        (System.nanoTime() - realStart) / 1_000_000));
  }

  /** A line in the tester's log (beside the "Passed" lines), e.g. the linearizability verdict. */
  public void note(String line) {
    LOG.info("  ... {}", line);
  }

  public void sleep(long ms) {
    procs.sleep(ms);
  }

  public LabProcesses.Proc go(String name, Runnable body) {
    return procs.go(name, body);
  }

  public void join(List<LabProcesses.Proc> ps) {
    procs.join(ps);
  }

  protected LabProcesses procs() {
    return procs;
  }

  /** A clerk finished an operation. */
  protected synchronized void opCompleted() {
    ops++;
  }

  private synchronized long opsCompleted() {
    return ops;
  }

  /** Stops the tester's processes; subclasses also stop their servers. */
  @Override
  public void close() {
    procs.close();
  }
}
