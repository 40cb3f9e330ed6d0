package raft.core;

import raft.Describable;

/**
 * The leader's view of one follower (etcd's Progress): how much of the log it is known to hold
 * ({@code match}), what to send next ({@code next}), and how to send it.
 * <ul>
 *   <li>PROBE: we don't know where its log ends; send one append at a time and wait.
 *   <li>REPLICATE: it keeps up; pipeline appends optimistically, bounded by {@link Inflights}.
 *   <li>SNAPSHOT: it needs entries we compacted; a snapshot is on its way, send nothing else.
 * </ul>
 */
final class Progress implements Describable {
  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  /** PROBE: an append is outstanding; wait for its answer (or the next heartbeat answer). */
  boolean probeSent;
  long pendingSnapshot;
  int ticksInSnapshot;
  /** Heard from since the leader's last check-quorum. */
  boolean recentActive;
  final Inflights inflights;

  Progress(long next, int maxInflight) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.isFull();
      case SNAPSHOT -> true;
    };
  }

  /** Records an acknowledgement up to index; false if it tells us nothing new. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  void becomeProbe() {
    next = state == State.SNAPSHOT ? Math.max(match + 1, pendingSnapshot + 1) : match + 1;
    state = State.PROBE;
    probeSent = false;
    pendingSnapshot = 0;
    inflights.reset();
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    probeSent = false;
    inflights.reset();
  }

  void becomeSnapshot(long snapshotIndex) {
    state = State.SNAPSHOT;
    pendingSnapshot = snapshotIndex;
    ticksInSnapshot = 0;
    inflights.reset();
  }

  @Override
  public String describe() {
    return state + " match " + match + " next " + next + (state == State.REPLICATE ? " inflight " + inflights.count() : "");
  }
}
