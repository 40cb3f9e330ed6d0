package raft.rsm;

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

  /** The whole state, encoded; {@link #restore} of it must give back an equal state. */
  Bytes snapshot();

  /** Replaces the whole state by a snapshot taken with {@link #snapshot}. */
  void restore(Bytes snapshot);
}
