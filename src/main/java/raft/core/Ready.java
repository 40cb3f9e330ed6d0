package raft.core;

import java.util.List;
import java.util.Optional;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import raft.message.Snapshot;

/**
 * Everything the core asks its caller to do, in this order:
 * <ol>
 *   <li>if {@code sendBeforePersist}, send {@code messages} now: they are a leader's, in a term
 *       already on disk, and promise nothing about this write, so replication runs in parallel
 *       with the leader's own fsync (Raft thesis §10.2.1; the leader counts its own entries
 *       toward a commit only after {@link RaftNode#advance});
 *   <li>make durable, atomically: {@code hardState} (if present), {@code snapshot} (if present:
 *       it replaces the log), then {@code entries} (each batch replaces any existing entries from
 *       its first index on);
 *   <li>otherwise send {@code messages} only now (nothing is promised before it is on disk);
 *   <li>hand {@code snapshot} (if present), then {@code committed} entries, to the service, in order;
 *   <li>call {@link RaftNode#advance(Ready)} with this Ready.
 * </ol>
 * {@code softState} is present when the peer's role or known leader changed since the last Ready
 * (e.g. a leader stepped down: its waiting callers should be told NotLeader).
 * {@code readStates} are the linearizable reads released ({@link RaftNode#readIndex}): serve each
 * once the state machine has applied up to its index; {@code droppedReads} are the ids of those this
 * peer gave up on (no leader, leadership lost, no answer): tell their callers to retry.
 */
public record Ready(
    Optional<HardState> hardState,
    List<LogEntry> entries,
    Optional<Snapshot> snapshot,
    List<LogEntry> committed,
    List<RaftMessage> messages,
    boolean sendBeforePersist,
    Optional<SoftState> softState,
    List<ReadState> readStates,
    List<Long> droppedReads) {

  public Ready {
    entries = List.copyOf(entries);
    committed = List.copyOf(committed);
    messages = List.copyOf(messages);
    readStates = List.copyOf(readStates);
    droppedReads = List.copyOf(droppedReads);
  }

  /** True when something must be written to disk before messages may leave. */
  public boolean mustPersist() {
    return hardState.isPresent() || snapshot.isPresent() || !entries.isEmpty();
  }

  public boolean isEmpty() {
    return !mustPersist() && committed.isEmpty() && messages.isEmpty() && softState.isEmpty() && readStates.isEmpty()
        && droppedReads.isEmpty();
  }
}
