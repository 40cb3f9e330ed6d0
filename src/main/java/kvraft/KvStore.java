package kvraft;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import raft.rsm.StateMachine;

/**
 * The KV state machine: a sorted map, so scans walk keys in order, and a hash index into the same
 * slots, so a Get, or a write to a key that exists (most writes), finds its slot in O(1) instead of
 * a walk down the tree (string compares and cache misses on every level, on every replica, for
 * every write). Deterministic, no I/O.
 *
 * <p>The maps are mutable and owned by one replica (copying them per write would be O(n)); they
 * are never sent in a message: snapshots encode them.
 */
public final class KvStore implements StateMachine<KvCommand, KvReply> {

  /** The value of one key; both maps hold the same slot, so a write changes it in place. */
  private static final class Slot {
    String value;

    Slot(String value) {
      this.value = value;
    }
  }

  private final TreeMap<String, Slot> data = new TreeMap<>();
  private final HashMap<String, Slot> index = new HashMap<>();

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
    return index.size();
  }

  private String valueOf(String key) {
    Slot slot = index.get(key);
    return slot == null ? null : slot.value;
  }

  private void set(String key, String value) {
    Slot slot = index.get(key);
    if (slot != null) {
      slot.value = value;
      return;
    }
    slot = new Slot(value);
    index.put(key, slot);
    data.put(key, slot);
  }

  private KvReply get(String key) {
    String v = valueOf(key);
    return v == null ? KvReply.NO_KEY : new KvReply.Value(v);
  }

  private KvReply put(KvCommand.Put p) {
    set(p.key(), p.value());
    return KvReply.DONE;
  }

  private KvReply append(KvCommand.Append a) {
    String current = valueOf(a.key());
    set(a.key(), current == null ? a.value() : current.concat(a.value()));
    return KvReply.DONE;
  }

  private KvReply delete(KvCommand.Delete d) {
    if (index.remove(d.key()) != null) data.remove(d.key());
    return KvReply.DONE;
  }

  private KvReply cas(KvCommand.Cas c) {
    String current = valueOf(c.key());
    boolean matches = c.expected() == null ? current == null : c.expected().equals(current);
    if (matches) set(c.key(), c.value());
    return new KvReply.CasResult(matches, current);
  }

  private KvReply scan(KvCommand.Scan s) {
    NavigableMap<String, Slot> range = s.to() == null
        ? data.tailMap(s.key(), true)
        : s.key().compareTo(s.to()) >= 0 ? new TreeMap<>() : data.subMap(s.key(), true, s.to(), false);
    List<KvReply.Entry> out = new ArrayList<>();
    for (Map.Entry<String, Slot> e : range.entrySet()) {
      if (s.limit() > 0 && out.size() == s.limit()) return new KvReply.Scanned(out, true);
      out.add(new KvReply.Entry(e.getKey(), e.getValue().value));
    }
    return new KvReply.Scanned(out, false);
  }

  @Override
  public void writeSnapshot(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(data.size());
    for (Map.Entry<String, Slot> e : data.entrySet()) {
      KvCodec.writeString(e.getKey(), out);
      KvCodec.writeString(e.getValue().value, out);
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
    index.clear();
    try {
      DataInputStream in = new DataInputStream(is);
      int n = in.readInt();
      for (int i = 0; i < n; i++) set(KvCodec.readString(in), KvCodec.readString(in));
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable KV snapshot: " + e, e);
    }
  }
}
