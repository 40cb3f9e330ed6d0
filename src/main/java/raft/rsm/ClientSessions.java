package raft.rsm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exactly-once table (Raft dissertation §6.3): per client, the sequence number of its last
 * applied write and that write's result. A write
 * whose sequence number is not above the last one was applied before: it is not applied again,
 * and the cached result answers it if it is the last one (an older one's client has already moved
 * on and ignores the answer).
 *
 * <p><b>Expiry.</b> The table holds at most {@code maxSessions} clients; recording a write for a
 * new client past that bound forgets the client whose last write has the lowest log index (least
 * recently used, counted in log entries). Why a count and log indexes, not a clock: eviction must
 * happen identically on every replica, and the log is the only thing every replica sees alike;
 * a wall clock differs between replicas, and a clock stamped into entries by the leader would
 * change the log format. Log order is the LRU order, so the iteration order of the table (oldest
 * first) is the same on every replica, and a snapshot written in that order restores it.
 *
 * <p>What a forgotten client then gets: {@link Replica} refuses its writes with the service's
 * {@code sessionExpired} reply (nothing applied), because the table can no longer tell a retry
 * from a new write. It recognises a forgotten client by a write with {@code seq > 1} from a client
 * it does not hold (a session starts at seq 1). See the README, "Sessions and exactly-once".
 *
 * <p>It is part of the replicated state, so it is saved in every snapshot and rebuilt from it:
 * duplicates are caught across snapshots, restarts and leader changes. Mutable, owned by one
 * {@link Replica}.
 */
public final class ClientSessions<R> {

  /** Default bound on the number of clients held. */
  public static final int DEFAULT_MAX_SESSIONS = 10_000;

  /** A client's last applied write. */
  public record Session<R>(long seq, R result) {}

  private final int maxSessions;
  /** Insertion order = order of last use (log index): a client is moved to the end when it writes. */
  private final LinkedHashMap<Long, Session<R>> sessions = new LinkedHashMap<>();

  public ClientSessions(int maxSessions) {
    if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be >= 1, was " + maxSessions);
    this.maxSessions = maxSessions;
  }

  public ClientSessions() {
    this(DEFAULT_MAX_SESSIONS);
  }

  /** The session of {@code clientId}, or null if it never wrote or was forgotten. */
  public Session<R> get(long clientId) {
    return sessions.get(clientId);
  }

  /** Whether write {@code seq} of {@code clientId} was applied already. */
  public boolean isDuplicate(long clientId, long seq) {
    Session<R> s = sessions.get(clientId);
    return s != null && seq <= s.seq();
  }

  /**
   * Records write {@code seq} of {@code clientId}, applied at the next log index; forgets the
   * least recently used client if the table is then over its bound.
   */
  public void record(long clientId, long seq, R result) {
    sessions.remove(clientId); // re-inserted at the end: most recently used
    sessions.put(clientId, new Session<>(seq, result));
    Iterator<Session<R>> oldest = sessions.values().iterator();
    while (sessions.size() > maxSessions) {
      oldest.next();
      oldest.remove();
    }
  }

  public int size() {
    return sessions.size();
  }

  public int maxSessions() {
    return maxSessions;
  }

  void write(DataOutput out, Codec<R> results) throws IOException {
    out.writeInt(sessions.size());
    for (Map.Entry<Long, Session<R>> e : sessions.entrySet()) { // oldest first: the order is the LRU state
      out.writeLong(e.getKey());
      out.writeLong(e.getValue().seq());
      results.write(e.getValue().result(), out);
    }
  }

  void readReplacing(DataInput in, Codec<R> results) throws IOException {
    sessions.clear();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      long client = in.readLong();
      long seq = in.readLong();
      sessions.put(client, new Session<>(seq, results.read(in)));
    }
    // A snapshot of a replica with a larger bound: keep the most recent, as applying would have.
    Iterator<Session<R>> oldest = sessions.values().iterator();
    while (sessions.size() > maxSessions) {
      oldest.next();
      oldest.remove();
    }
  }
}
