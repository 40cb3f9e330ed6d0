package node.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.peer.PeerMetrics;
import journal.GroupCommitJournals;
import journal.JournalCounters;
import shardkv.ShardKvMetrics;

/**
 * The Prometheus metrics of one node, named as an etcd operator knows them. Raft metrics come from
 * the replicas' {@link RaftStatus} (polled, see {@link #observe}); request metrics from the HTTP
 * layer ({@link #request}). Labels are bounded: group, peer (the group's replicas), op, outcome.
 *
 * <p>Journal writes and snapshots come from inside each {@link raft.peer.RaftPeer} through the
 * {@link PeerMetrics} this class makes for it ({@link #of}): pass this to
 * {@code KvNode.start(spec, config, metrics)}, or to {@code ShardedNode.start(spec, config, metrics,
 * metrics)}, which also reports each shard group replica's shards in migration ({@link #shardMetrics}).
 */
public final class NodeMetrics implements PeerMetrics.Factory, ShardKvMetrics.Factory {
  /** Seconds; a write on a disk with fsync takes 0.1 to 10 ms, a stalled one far more (etcd's wal_fsync buckets). */
  private static final double[] WRITE_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064,
      0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192};
  /** Entries per write: 0 (term/vote only), 1 (one proposal), up to the pending-proposal limit and beyond. */
  private static final double[] BATCH_ENTRIES = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final String group;

  private final Gauge hasLeader;
  private final Counter leaderChanges;
  private final Gauge isLeader;
  private final Gauge term;
  private final Gauge committed;
  private final Gauge applied;
  private final Gauge applyLag;
  private final Gauge pending;
  private final Counter failed;
  private final Histogram latency;
  private final Histogram walWrite;
  private final Histogram batchEntries;
  private final Counter walBytes;
  private final Counter snapshotSent;
  private final Counter snapshotSentBytes;
  private final Counter snapshotInstalled;
  private final Counter snapshotInstalledBytes;
  private final Gauge migrating;
  /** The last leader known per local replica (group, peer), to count changes (a term without one is no change). */
  private final Map<List<String>, PeerId> lastLeader = new HashMap<>();

  public NodeMetrics(String group) {
    this.group = group;
    hasLeader = gauge("raft_has_leader", "1 if a local replica of the group knows a leader, else 0", "group");
    leaderChanges = counter("raft_leader_changes_seen", "Leader changes seen by the local replicas (polled)");
    isLeader = gauge("raft_is_leader", "1 if this replica is the leader", "group", "peer");
    term = gauge("raft_term", "Current term of the replica", "group", "peer");
    committed = gauge("raft_proposals_committed_total", "Commit index of the replica (entries committed)", "group", "peer");
    applied = gauge("raft_proposals_applied_total",
        "Applied index of the replica (entries applied to the state machine)", "group", "peer");
    applyLag = gauge("raft_apply_lag", "Commit index minus applied index", "group", "peer");
    pending = gauge("raftkv_proposals_pending", "KV requests in flight at this node's HTTP API", "group");
    failed = Counter.builder().name("raftkv_proposals_failed")
        .help("KV requests that got no committed answer (unavailable, timeout, internal error)")
        .labelNames("group", "op").register(registry);
    latency = Histogram.builder().name("raftkv_http_request_duration_seconds")
        .help("HTTP request latency by operation and outcome").labelNames("op", "outcome").classicOnly()
        .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    walWrite = replicaHistogram("raftkv_disk_wal_fsync_duration_seconds", "One journal write of a replica's Ready loop, "
        + "from the persist call to its callback (the write plus its fsync when fsync is on)", WRITE_SECONDS);
    batchEntries = replicaHistogram("raftkv_disk_wal_write_batch_entries",
        "Log entries per journal write (all proposals that arrived during the previous write)", BATCH_ENTRIES);
    walBytes = counter("raftkv_disk_wal_write_bytes", "Payload bytes of the log entries written to the journal");
    snapshotSent = counter("raftkv_snapshot_sent", "Snapshots this leader sent to a follower (streamed: acknowledged complete)");
    snapshotSentBytes = counter("raftkv_snapshot_sent_bytes", "Image bytes of the snapshots counted in raftkv_snapshot_sent_total");
    snapshotInstalled = counter("raftkv_snapshot_installed",
        "Leader snapshots this replica installed (durable here, handed to the service)");
    snapshotInstalledBytes = counter("raftkv_snapshot_installed_bytes",
        "Image bytes of the snapshots counted in raftkv_snapshot_installed_total");
    migrating = gauge("raftkv_shard_migrations_in_flight",
        "Shards the local replica of a shard group is pulling (moved to its group, not all installed yet)", "group", "peer");
    hasLeader.labelValues(group).set(0);
    pending.labelValues(group).set(0);
  }

  /** Updates the Raft metrics from the statuses of the local replicas (all of this node's one group). */
  public synchronized void observe(List<RaftStatus> local) {
    observe(group, local);
  }

  /**
   * Updates the Raft metrics from the statuses of the local replicas of several groups (a sharded
   * node), each series under its replica's group; the node-wide {@code raft_has_leader} series of
   * the constructor's group goes, since no replica belongs to it.
   */
  public synchronized void observe(Map<GroupId, List<RaftStatus>> byGroup) {
    hasLeader.remove(group);
    byGroup.forEach((g, local) -> observe(g.toString(), local));
  }

  private void observe(String group, List<RaftStatus> local) {
    boolean anyLeader = false;
    for (RaftStatus s : local) {
      String peer = s.id().toString();
      anyLeader |= s.leader().isPresent();
      leaderChanges.labelValues(group, peer).inc(0); // present from the first poll on
      if (s.leader().isPresent()) {
        PeerId before = lastLeader.put(List.of(group, peer), s.leader().get());
        if (before != null && !before.equals(s.leader().get())) leaderChanges.labelValues(group, peer).inc();
      }
      isLeader.labelValues(group, peer).set(s.isLeader() ? 1 : 0);
      term.labelValues(group, peer).set(s.term());
      committed.labelValues(group, peer).set(s.commitIndex());
      applied.labelValues(group, peer).set(s.appliedIndex());
      applyLag.labelValues(group, peer).set(Math.max(0, s.commitIndex() - s.appliedIndex()));
    }
    hasLeader.labelValues(group).set(anyLeader ? 1 : 0);
  }

  private Gauge gauge(String name, String help, String... labels) {
    return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
  }

  /** A counter per replica (labels group, peer); the exposition adds {@code _total} to its name. */
  private Counter counter(String name, String help) {
    return Counter.builder().name(name).help(help).labelNames("group", "peer").register(registry);
  }

  private Histogram replicaHistogram(String name, String help, double... bounds) {
    return Histogram.builder().name(name).help(help).labelNames("group", "peer").classicOnly().classicUpperBounds(bounds)
        .register(registry);
  }

  /**
   * The metrics of one hosted replica. Its series exist from here on (at zero), so a scrape shows
   * every local replica before its first write or snapshot.
   */
  @Override
  public PeerMetrics of(GroupId g, PeerId peer) {
    String[] labels = {g.toString(), peer.toString()};
    var write = walWrite.labelValues(labels);
    var batch = batchEntries.labelValues(labels);
    var bytes = walBytes.labelValues(labels);
    var sent = snapshotSent.labelValues(labels);
    var sentBytes = snapshotSentBytes.labelValues(labels);
    var installed = snapshotInstalled.labelValues(labels);
    var installedBytes = snapshotInstalledBytes.labelValues(labels);
    return new PeerMetrics() {
      @Override
      public void journalWritten(int entries, long entryBytes, long nanos) {
        write.observe(nanos / 1e9);
        batch.observe(entries);
        bytes.inc(entryBytes);
      }

      @Override
      public void snapshotSent(long imageBytes) {
        sent.inc();
        sentBytes.inc(imageBytes);
      }

      @Override
      public void snapshotInstalled(long imageBytes) {
        installed.inc();
        installedBytes.inc(imageBytes);
      }
    };
  }

  /** The migrations gauge of one hosted shard group replica; its series exists from here on (at zero). */
  @Override
  public ShardKvMetrics shardMetrics(GroupId g, PeerId peer) {
    var pulling = migrating.labelValues(g.toString(), peer.toString());
    pulling.set(0);
    return pulling::set;
  }

  /**
   * Exposes the counters of the group-commit journals in {@code journals} (a sharded node's one
   * journal), label {@code journal} = plugin id, read at each scrape. {@code writes_total /
   * fsyncs_total} is how many persist calls of the node's groups shared one fsync. Call once.
   */
  public void journals(GroupCommitJournals journals) {
    journalCounter("raftkv_journal_fsyncs", "LevelDB writes of the group-commit journal (one fsync each with fsync on), "
        + "each carrying every write queued during the previous one", journals, JournalCounters.Snapshot::fsyncs);
    journalCounter("raftkv_journal_writes", "Atomic writes (persist calls, of every group on the node) made durable",
        journals, JournalCounters.Snapshot::writes);
    journalCounter("raftkv_journal_events", "Events in those writes", journals, JournalCounters.Snapshot::events);
    journalCounter("raftkv_journal_bytes", "Serialized bytes of those events", journals, JournalCounters.Snapshot::bytes);
    journalCounter("raftkv_journal_fsync_seconds", "Time in the LevelDB writes counted in raftkv_journal_fsyncs_total",
        journals, c -> c.fsyncNanos() / 1e9);
    journalCounter("raftkv_journal_rejected_writes", "Atomic writes rejected because an event could not be serialized",
        journals, JournalCounters.Snapshot::rejected);
    journalCounter("raftkv_journal_failed_batches", "LevelDB writes that failed (every write in them failed)",
        journals, JournalCounters.Snapshot::failedBatches);
    GaugeWithCallback.builder().name("raftkv_journal_largest_batch_writes")
        .help("The most atomic writes one LevelDB write of the group-commit journal has carried").labelNames("journal")
        .callback(cb -> journals.counters().forEach((id, c) -> cb.call(c.snapshot().largestBatchWrites(), id)))
        .register(registry);
  }

  private void journalCounter(String name, String help, GroupCommitJournals journals,
      ToDoubleFunction<JournalCounters.Snapshot> value) {
    CounterWithCallback.builder().name(name).help(help).labelNames("journal")
        .callback(cb -> journals.counters().forEach((id, c) -> cb.call(value.applyAsDouble(c.snapshot()), id)))
        .register(registry);
  }

  /** A KV request started; call {@link #request} when it ends. */
  public void started() {
    pending.labelValues(group).inc();
  }

  /** One HTTP request ended: its operation, outcome and duration; a KV op also ends its pending count. */
  public void request(String op, String outcome, double seconds, boolean kvOp) {
    latency.labelValues(op, outcome).observe(seconds);
    if (!kvOp) return;
    pending.labelValues(group).dec();
    if (outcome.equals("unavailable") || outcome.equals("error")) failed.labelValues(group, op).inc();
  }

  /** The text exposition format (version 0.0.4). */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write metrics", e);
    }
    return out.toByteArray();
  }

  public String contentType() {
    return writer.getContentType();
  }
}
