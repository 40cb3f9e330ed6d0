package raft.peer;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link PeerMetrics} that adds up what a peer reports, for tests to read from another thread. */
final class CountingPeerMetrics implements PeerMetrics {
  final AtomicLong writes = new AtomicLong();
  final AtomicLong entries = new AtomicLong();
  final AtomicLong snapshotsSent = new AtomicLong();
  final AtomicLong sentBytes = new AtomicLong();
  final AtomicLong snapshotsInstalled = new AtomicLong();
  final AtomicLong installedBytes = new AtomicLong();

  @Override
  public void journalWritten(int n, long bytes, long nanos) {
    writes.incrementAndGet();
    entries.addAndGet(n);
  }

  @Override
  public void snapshotSent(long bytes) {
    snapshotsSent.incrementAndGet();
    sentBytes.addAndGet(bytes);
  }

  @Override
  public void snapshotInstalled(long bytes) {
    snapshotsInstalled.incrementAndGet();
    installedBytes.addAndGet(bytes);
  }
}
