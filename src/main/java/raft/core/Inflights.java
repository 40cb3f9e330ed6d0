package raft.core;

import java.util.ArrayDeque;

/**
 * The AppendEntries a leader has pipelined to one follower and not yet seen acknowledged,
 * by the last index each carried. Bounds the pipeline so a slow follower is not flooded.
 */
final class Inflights {
  private final int capacity;
  private final ArrayDeque<Long> lastIndexes = new ArrayDeque<>();

  Inflights(int capacity) {
    this.capacity = capacity;
  }

  boolean isFull() {
    return lastIndexes.size() >= capacity;
  }

  int count() {
    return lastIndexes.size();
  }

  void add(long lastIndex) {
    lastIndexes.addLast(lastIndex);
  }

  /** Forgets every append whose last index is at or below {@code index}: acknowledged. */
  void freeTo(long index) {
    while (!lastIndexes.isEmpty() && lastIndexes.peekFirst() <= index) lastIndexes.removeFirst();
  }

  void freeFirst() {
    lastIndexes.pollFirst();
  }

  void reset() {
    lastIndexes.clear();
  }
}
