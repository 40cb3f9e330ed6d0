package raft.message;

/**
 * What a log entry carries. Only {@link #NORMAL} entries are commands for the service; the
 * others are Raft's own and are applied by the core (the service only sees their index go by).
 */
public enum EntryKind {
  /** A service command (the only kind before membership changes existed, so the default). */
  NORMAL,
  /** The empty entry a new leader appends to commit the entries of earlier terms (§5.4.2, §8). */
  NOOP,
  /** A {@link Membership} (its encoding is the entry's payload), in force once applied. */
  CONF_CHANGE
}
