package raft.rsm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The exactly-once table (Raft dissertation §6.3): per client, the sequence number of its last
 * applied write and that write's result. A write whose sequence number is not above the last one
 * was applied before: it is not applied again, and the cached result answers it if it is the last
 * one (an older one's client has already moved on and ignores the answer).
 *
 * <p>It is part of the replicated state, so it is saved in every snapshot and rebuilt from it:
 * duplicates are caught across snapshots, restarts and leader changes. Mutable, owned by one
 * {@link Replica}.
 */
public final class ClientSessions<R> {

  /** A client's last applied write. */
  public record Session<R>(long seq, R result) {}

  private final Map<Long, Session<R>> sessions = new HashMap<>();

  /** The session of {@code clientId}, or null if it never wrote. */
  public Session<R> get(long clientId) {
    return sessions.get(clientId);
  }

  /** Whether write {@code seq} of {@code clientId} was applied already. */
  public boolean isDuplicate(long clientId, long seq) {
    Session<R> s = sessions.get(clientId);
    return s != null && seq <= s.seq();
  }

  public void record(long clientId, long seq, R result) {
    sessions.put(clientId, new Session<>(seq, result));
  }

  public int size() {
    return sessions.size();
  }

  void write(DataOutput out, Codec<R> results) throws IOException {
    out.writeInt(sessions.size());
    for (Map.Entry<Long, Session<R>> e : sessions.entrySet()) {
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
  }
}
