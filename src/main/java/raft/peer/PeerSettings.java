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
 */
public record PeerSettings(
    Duration tickInterval,
    int maxPendingProposals,
    int snapshotEveryEvents,
    long seed,
    String journalPluginId,
    String snapshotPluginId) {

  public PeerSettings {
    Objects.requireNonNull(tickInterval, "tickInterval");
    Objects.requireNonNull(journalPluginId, "journalPluginId");
    Objects.requireNonNull(snapshotPluginId, "snapshotPluginId");
  }

  /** The defaults of reference.conf ({@code raftkv.raft}). */
  public static PeerSettings defaults() {
    return new PeerSettings(Duration.ofMillis(100), 512, 10_000, 0L, "", "");
  }

  public PeerSettings withTickInterval(Duration d) {
    return new PeerSettings(d, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId);
  }

  public PeerSettings withMaxPendingProposals(int n) {
    return new PeerSettings(tickInterval, n, snapshotEveryEvents, seed, journalPluginId, snapshotPluginId);
  }

  public PeerSettings withSnapshotEveryEvents(int n) {
    return new PeerSettings(tickInterval, maxPendingProposals, n, seed, journalPluginId, snapshotPluginId);
  }

  public PeerSettings withSeed(long s) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, s, journalPluginId, snapshotPluginId);
  }

  public PeerSettings withJournalPluginId(String id) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, id, snapshotPluginId);
  }

  public PeerSettings withSnapshotPluginId(String id) {
    return new PeerSettings(tickInterval, maxPendingProposals, snapshotEveryEvents, seed, journalPluginId, id);
  }

  /** Returns these settings, or throws {@link IllegalArgumentException} naming the bad one. */
  public PeerSettings validate() {
    if (tickInterval.isNegative() || tickInterval.isZero())
      throw new IllegalArgumentException("tickInterval must be positive, was " + tickInterval);
    if (maxPendingProposals < 1) throw new IllegalArgumentException("maxPendingProposals must be >= 1, was " + maxPendingProposals);
    if (snapshotEveryEvents < 1) throw new IllegalArgumentException("snapshotEveryEvents must be >= 1, was " + snapshotEveryEvents);
    return this;
  }
}
