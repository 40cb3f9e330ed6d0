package testkit.cluster;

import kvraft.KvCommand;
import kvraft.KvReply;
import raft.PeerId;
import raft.rsm.Envelope;

/**
 * The lab's Clerk over {@link LabKvCluster}: one end per server in a shuffled order, a cached
 * leader, and retries until a server answers. A write keeps its (clientId, seq) across retries so
 * the servers apply it once; a read goes through the log with seq 0. Runs inside a tester process
 * (or the test thread); each call yields in virtual time.
 */
public final class LabKvClerk implements LabKv.Clerk {
  /** Pause after a full round of servers without an answer (an election is probably on). */
  static final long ROUND_BACKOFF_MILLIS = 20;

  private final LabKvCluster cfg;
  private final long clientId;
  private final int[] ends;
  private final boolean[] enabled;
  private int leader;
  private long seq;

  LabKvClerk(LabKvCluster cfg, long clientId, int[] ends) {
    this.cfg = cfg;
    this.clientId = clientId;
    this.ends = ends;
    this.enabled = new boolean[ends.length];
  }

  @Override
  public void connectOnly(int... to) {
    java.util.Arrays.fill(enabled, false);
    for (int s : to) enabled[s] = true;
  }

  boolean enabled(int server) {
    return enabled[server];
  }

  @Override
  public String get(String key) {
    KvReply r = execute(new KvCommand.Get(key), 0);
    return r instanceof KvReply.Value v ? v.value() : "";
  }

  @Override
  public void put(String key, String value) {
    execute(new KvCommand.Put(key, value), ++seq);
  }

  @Override
  public void append(String key, String value) {
    execute(new KvCommand.Append(key, value), ++seq);
  }

  private KvReply execute(KvCommand command, long s) {
    Envelope<KvCommand> request = new Envelope<>(clientId, s, command);
    int failed = 0;
    while (true) {
      cfg.procs().checkOpen();
      KvReply r = cfg.call(this, ends[leader], request);
      if (r != null && r.isResult()) {
        cfg.opCompleted();
        return r;
      }
      if (r instanceof KvReply.Rejected rej) throw new AssertionError("server rejected " + command + ": " + rej.reason());
      int next = (leader + 1) % ends.length;
      if (r instanceof KvReply.WrongLeader w && w.leaderHint().isPresent()) {
        int hinted = position(w.leaderHint().get());
        if (hinted >= 0 && hinted != leader) next = hinted;
      }
      leader = next;
      if (++failed % ends.length == 0) cfg.sleep(ROUND_BACKOFF_MILLIS);
    }
  }

  private int position(PeerId id) {
    int server = Integer.parseInt(id.id().substring(1));
    for (int i = 0; i < ends.length; i++) if (ends[i] == server) return i;
    return -1;
  }
}
