package raft.rsm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import raft.peer.SnapshotFiles;
import wire.Bytes;

/**
 * What a replicated service implements (hashicorp/raft's {@code FSM}): a deterministic state
 * machine fed the committed commands in log order. Every replica applies the same commands in the
 * same order, so every replica computes the same results and the same state.
 *
 * <p>Implementations are mutable and owned by exactly one actor (or one simulated process); they
 * are never shared or sent in a message. {@code apply} must not do I/O, read a clock or draw
 * random numbers: replicas would diverge.
 *
 * @param <C> command type
 * @param <R> result type
 */
public interface StateMachine<C, R> {

  /**
   * Applies one committed command and returns its result. A {@code RuntimeException} thrown here
   * does not stop the replica: {@link Replica} records the command as failed (the service's
   * {@code rejected} reply) and moves on, the same on every replica, so an implementation should
   * check a command before it changes anything (every replica then stays in the same state).
   */
  R apply(C command);

  /** Whether {@code command} only reads: its result is not kept for duplicate detection. */
  boolean isReadOnly(C command);

  /**
   * Whether {@code command} reads the state and nothing else, so a replica may run it outside the
   * log, on its local state (after a ReadIndex for a linearizable read). Opt-in: a machine whose
   * read-only commands still need their place in the log (e.g. to see a configuration change) keeps false.
   */
  default boolean isQuery(C command) {
    return false;
  }

  /**
   * Writes the whole state to {@code out} as it goes (never encoding it into one buffer first: a
   * snapshot may be larger than the heap has room for twice); {@link #restore(InputStream)} of
   * what it wrote must give back an equal state. Must not close {@code out}.
   */
  void writeSnapshot(OutputStream out) throws IOException;

  /**
   * Replaces the whole state by a snapshot written by {@link #writeSnapshot}, read from {@code in}
   * as it goes; reads no further than that snapshot's end and does not close {@code in}.
   *
   * @throws IllegalArgumentException if the snapshot is unreadable
   */
  void restore(InputStream in) throws IOException;

  /** The whole state as one value, for small states and tests (the replica itself streams). */
  default Bytes snapshot() {
    return inMemory(this::writeSnapshot);
  }

  /** What {@code writer} writes, as one value (small snapshots, tests, the simulated labs). */
  static Bytes inMemory(SnapshotFiles.ImageWriter writer) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      writer.writeTo(buf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrap(buf.toByteArray());
  }

  /** Replaces the state by a snapshot of {@link #snapshot()}. */
  default void restore(Bytes snapshot) {
    try {
      restore(snapshot.newInputStream());
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable snapshot: " + e, e);
    }
  }
}
