package raft.message;

import wire.Bytes;
import raft.Describable;
import wire.CborSerializable;

/**
 * One entry of the replicated log. Indexes start at 1. {@code kind} says whether the payload is a
 * service command ({@link EntryKind#NORMAL}, the default, also for journals written before kinds
 * existed: a missing kind reads as NORMAL) or Raft's own (a leader's no-op, a membership change).
 */
public record LogEntry(long index, long term, Bytes command, EntryKind kind) implements CborSerializable, Describable {
  public LogEntry {
    if (kind == null) kind = EntryKind.NORMAL;
    if (command == null) command = Bytes.EMPTY;
  }

  /** A service command. */
  public LogEntry(long index, long term, Bytes command) {
    this(index, term, command, EntryKind.NORMAL);
  }

  public static LogEntry noop(long index, long term) {
    return new LogEntry(index, term, Bytes.EMPTY, EntryKind.NOOP);
  }

  public static LogEntry confChange(long index, long term, Membership membership) {
    return new LogEntry(index, term, membership.encode(), EntryKind.CONF_CHANGE);
  }

  /** True if this entry is a service command (services must decode only these). */
  public boolean isNormal() {
    return kind == EntryKind.NORMAL;
  }

  /** Approximate bytes on the wire: payload plus index and term. */
  public long sizeBytes() {
    return command.size() + 16L;
  }

  public String describe() {
    return term + "/" + index + (kind == EntryKind.NORMAL ? "" : " " + kind);
  }
}
