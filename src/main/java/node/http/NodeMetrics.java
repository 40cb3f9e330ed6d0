package node.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import raft.PeerId;
import raft.core.RaftStatus;

/**
 * The Prometheus metrics of one node, named as an etcd operator knows them. Raft metrics come from
 * the replicas' {@link RaftStatus} (polled, see {@link #observe}); request metrics from the HTTP
 * layer ({@link #request}). Labels are bounded: group, peer (the group's replicas), op, outcome.
 *
 * <p>Not here (they need hooks inside raft.peer.RaftPeer): journal write / fsync latency,
 * write batch sizes, snapshot sends / installs / bytes.
 */
public final class NodeMetrics {
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
  /** The last leader known per local replica, to count changes (a term without one is no change). */
  private final Map<PeerId, PeerId> lastLeader = new HashMap<>();

  public NodeMetrics(String group) {
    this.group = group;
    hasLeader = Gauge.builder().name("raft_has_leader")
        .help("1 if a local replica of the group knows a leader, else 0").labelNames("group").register(registry);
    leaderChanges = Counter.builder().name("raft_leader_changes_seen")
        .help("Leader changes seen by the local replicas (polled)").labelNames("group", "peer").register(registry);
    isLeader = Gauge.builder().name("raft_is_leader")
        .help("1 if this replica is the leader").labelNames("group", "peer").register(registry);
    term = Gauge.builder().name("raft_term").help("Current term of the replica").labelNames("group", "peer").register(registry);
    committed = Gauge.builder().name("raft_proposals_committed_total")
        .help("Commit index of the replica (entries committed)").labelNames("group", "peer").register(registry);
    applied = Gauge.builder().name("raft_proposals_applied_total")
        .help("Applied index of the replica (entries applied to the state machine)").labelNames("group", "peer")
        .register(registry);
    applyLag = Gauge.builder().name("raft_apply_lag")
        .help("Commit index minus applied index").labelNames("group", "peer").register(registry);
    pending = Gauge.builder().name("raftkv_proposals_pending")
        .help("KV requests in flight at this node's HTTP API").labelNames("group").register(registry);
    failed = Counter.builder().name("raftkv_proposals_failed")
        .help("KV requests that got no committed answer (unavailable, timeout, internal error)")
        .labelNames("group", "op").register(registry);
    latency = Histogram.builder().name("raftkv_http_request_duration_seconds")
        .help("HTTP request latency by operation and outcome").labelNames("op", "outcome").classicOnly()
        .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
    hasLeader.labelValues(group).set(0);
    pending.labelValues(group).set(0);
  }

  /** Updates the Raft metrics from the statuses of the local replicas. */
  public synchronized void observe(List<RaftStatus> local) {
    boolean anyLeader = false;
    for (RaftStatus s : local) {
      String peer = s.id().toString();
      anyLeader |= s.leader().isPresent();
      leaderChanges.labelValues(group, peer).inc(0); // present from the first poll on
      if (s.leader().isPresent()) {
        PeerId before = lastLeader.put(s.id(), s.leader().get());
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
