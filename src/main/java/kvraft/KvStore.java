package kvraft;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import raft.rsm.StateMachine;

/**
 * The KV state machine: a sorted map, so scans walk keys in order. Deterministic, no I/O.
 *
 * <p>The map is mutable and owned by one replica (copying it per write would be O(n)); it is
 * never sent in a message: snapshots encode it.
 */
public final class KvStore implements StateMachine<KvCommand, KvReply> {

  private final TreeMap<String, String> data = new TreeMap<>();

  @Override
  public KvReply apply(KvCommand command) {
    if (command instanceof KvCommand.Get g) return get(g.key());
    if (command instanceof KvCommand.Put p) return put(p);
    if (command instanceof KvCommand.Append a) return append(a);
    if (command instanceof KvCommand.Delete d) return delete(d);
    if (command instanceof KvCommand.Cas c) return cas(c);
    if (command instanceof KvCommand.Scan s) return scan(s);
    throw new IllegalStateException("unhandled " + command);
  }

  @Override
  public boolean isReadOnly(KvCommand command) {
    return command.isRead();
  }

  /** Gets and scans read the map and nothing else: served outside the log (ReadIndex, or serializable). */
  @Override
  public boolean isQuery(KvCommand command) {
    return command.isRead();
  }

  public int size() {
    return data.size();
  }

  private KvReply get(String key) {
    String v = data.get(key);
    return v == null ? KvReply.NO_KEY : new KvReply.Value(v);
  }

  private KvReply put(KvCommand.Put p) {
    data.put(p.key(), p.value());
    return KvReply.DONE;
  }

  private KvReply append(KvCommand.Append a) {
    data.merge(a.key(), a.value(), String::concat);
    return KvReply.DONE;
  }

  private KvReply delete(KvCommand.Delete d) {
    data.remove(d.key());
    return KvReply.DONE;
  }

  private KvReply cas(KvCommand.Cas c) {
    String current = data.get(c.key());
    boolean matches = c.expected() == null ? current == null : c.expected().equals(current);
    if (matches) data.put(c.key(), c.value());
    return new KvReply.CasResult(matches, current);
  }

  private KvReply scan(KvCommand.Scan s) {
    NavigableMap<String, String> range = s.to() == null
        ? data.tailMap(s.key(), true)
        : s.key().compareTo(s.to()) >= 0 ? new TreeMap<>() : data.subMap(s.key(), true, s.to(), false);
    List<KvReply.Entry> out = new ArrayList<>();
    for (Map.Entry<String, String> e : range.entrySet()) {
      if (s.limit() > 0 && out.size() == s.limit()) return new KvReply.Scanned(out, true);
      out.add(new KvReply.Entry(e.getKey(), e.getValue()));
    }
    return new KvReply.Scanned(out, false);
  }

  @Override
  public void writeSnapshot(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(data.size());
    for (Map.Entry<String, String> e : data.entrySet()) {
      KvCodec.writeString(e.getKey(), out);
      KvCodec.writeString(e.getValue(), out);
    }
    out.flush();
  }

  /**
   * Drops the old state first, then reads the new one into its place: a follower a little behind
   * holds a state as large as the snapshot it installs, and both at once would need the heap twice
   * (reading into a new map and swapping it in did; {@code SnapshotHeapProcessTest}). A snapshot
   * that fails to read leaves the store empty; the replica stops on that failure anyway.
   */
  @Override
  public void restore(InputStream is) {
    data.clear();
    try {
      DataInputStream in = new DataInputStream(is);
      int n = in.readInt();
      for (int i = 0; i < n; i++) data.put(KvCodec.readString(in), KvCodec.readString(in));
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable KV snapshot: " + e, e);
    }
  }
}
