package raft.peer;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RaftPeer} runs on Akka (the core's own tunables are in {@code raft.RaftConfig}).
 *
 * @param tickInterval wall time of one Raft tick (timer with fixed delay)
 * @param maxPendingProposals proposals accepted by the core but not yet durable before the peer answers Busy
 * @param snapshotEveryEvents an Akka snapshot of the durable state every n journal events; events
 *     older than the previous such snapshot are deleted (Akka retention)
 * @param seed seeds the randomized election timeout (mixed with group and peer id)
 * @param journalPluginId journal plugin config path; empty for akka.persistence.journal.plugin
 * @param snapshotPluginId snapshot store plugin config path; empty for the default
 * @param snapshotChunkBytes a leader's snapshot crosses the network in chunks of this many bytes
 *     (on a transport that streams snapshots; see {@link SnapshotStream})
 * @param snapshotChunksInFlight chunks sent to one follower beyond what it acknowledged
 * @param snapshotChunkTimeout without an acknowledgement for this long, the leader resends from the
 *     last acknowledged offset (a follower drops a partial image after ten times as long)
 */
public record PeerSettings(
    Duration tickInterval,
    int maxPendingProposals,
    int snapshotEveryEvents,
    long seed,
    String journalPluginId,
    String snapshotPluginId,
    int snapshotChunkBytes,
    int snapshotChunksInFlight,
    Duration snapshotChunkTimeout) {

  public PeerSettings {
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(journalPluginId, "journalPluginId");
    Objects.requireNonNull(snapshotPluginId, "snapshotPluginId");
    Objects.requireNonNull(snapshotChunkTimeout, "snapshotChunkTimeout");
  }

  /** The default chunk size of reference.conf ({@code raftkv.raft.snapshot-chunk-size}). */
  public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = 512 * 1024;

  /** Settings with the default snapshot streaming (512 KiB chunks, 4 in flight, 1 s timeout). */
  public PeerSettings(Duration tickInterval, int maxPendingProposals, int snapshotEveryEvents, long seed,
      String journalPluginId, String snapshotPluginId) {
    this(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId,
        DEFAULT_SNAPSHOT_CHUNK_BYTES, 4, Duration.ofSeconds(1));
  }

  /** The defaults of reference.conf ({@code raftkv.raft}). */
  public static PeerSettings defaults() {
    return new PeerSettings(Duration.ofMillis(100), 512, 10_000, 0L, "", "");
  }

  public PeerSettings withTickInterval(Duration d) {
    return new PeerSettings(d, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withMaxPendingProposals(int n) {
    return new PeerSettings(tickInterval, n, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withSnapshotEveryEvents(int n) {
    return new PeerSettings(tickInterval, maxPendingProposals, n, seed, journalPluginId, snapshotPluginId,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withSeed(long s) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, s, journalPluginId, snapshotPluginId,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withJournalPluginId(String id) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, id, snapshotPluginId,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withSnapshotPluginId(String id) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, id,
        snapshotChunkBytes, snapshotChunksInFlight, snapshotChunkTimeout);
  }

  public PeerSettings withSnapshotChunks(int chunkBytes, int inFlight, Duration timeout) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId,
        chunkBytes, inFlight, timeout);
  }

  /** The chunk timeout in ticks (at least one). */
  public int snapshotChunkTimeoutTicks() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 16,
        (snapshotChunkTimeout.toNanos() + tickInterval.toNanos() - 1) / tickInterval.toNanos()));
  }

  /** Returns these settings, or throws {@link IllegalArgumentException} naming the bad one. */
  public PeerSettings validate() {
    if (tickInterval.isNegative() || tickInterval.isZero())
      throw new IllegalArgumentException("tickInterval must be positive, was " + tickInterval);
    if (maxPendingProposals < 1) throw new IllegalArgumentException("maxPendingProposals must be >= 1, was " + maxPendingProposals);
    if (snapshotEveryEvents < 1) throw new IllegalArgumentException("snapshotEveryEvents must be >= 1, was " + snapshotEveryEvents);
    if (snapshotChunkBytes < 1024)
      throw new IllegalArgumentException("snapshotChunkBytes must be >= 1024, was " + snapshotChunkBytes);
    if (snapshotChunksInFlight < 1)
      throw new IllegalArgumentException("snapshotChunksInFlight must be >= 1, was " + snapshotChunksInFlight);
    if (snapshotChunkTimeout.isNegative() || snapshotChunkTimeout.isZero())
      throw new IllegalArgumentException("snapshotChunkTimeout must be positive, was " + snapshotChunkTimeout);
    return this;
  }
}
