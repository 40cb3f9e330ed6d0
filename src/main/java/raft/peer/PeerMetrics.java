package raft.peer;

import raft.GroupId;
import raft.PeerId;

/**
 * What a {@link RaftPeer} reports about its disk and snapshot work, for a metrics backend the node
 * plugs in (Prometheus in {@code node.http.NodeMetrics}); raft.peer knows no metrics library.
 * Called on the peer's actor thread: an implementation must be cheap and must not block.
 * {@link #NOOP} (the default) ignores everything.
 */
public interface PeerMetrics {
  /**
   * One journal write of the Ready loop is durable.
   *
   * @param entries log entries the write appended (0 for a write of term/vote or a snapshot only)
   * @param bytes the payload bytes of those entries
   * @param nanos from the persist call to its callback: the write and, with fsync on, its fsync
   */
  void journalWritten(int entries, long bytes, long nanos);

  /** This leader finished sending a snapshot image of {@code bytes} to a follower (streamed: the follower acknowledged all of it). */
  void snapshotSent(long bytes);

  /** This peer installed a leader's snapshot image of {@code bytes}: it is durable here and goes to the service. */
  void snapshotInstalled(long bytes);

  /** Makes the metrics of each replica a node hosts. */
  @FunctionalInterface
  interface Factory {
    PeerMetrics of(GroupId group, PeerId peer);

    Factory NOOP = (group, peer) -> PeerMetrics.NOOP;
  }

  PeerMetrics NOOP = new PeerMetrics() {
    @Override
    public void journalWritten(int entries, long bytes, long nanos) {}

    @Override
    public void snapshotSent(long bytes) {}

    @Override
    public void snapshotInstalled(long bytes) {}
  };
}
