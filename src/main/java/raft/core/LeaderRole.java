package raft.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.AppendEntries;
import raft.message.AppendEntriesResponse;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.InstallSnapshot;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.Snapshot;

/**
 * The leader replicates its log to every follower, pipelining appends to those that keep up,
 * and commits an entry of its own term once a majority holds it (§5.3, §5.4.2).
 */
final class LeaderRole implements Role {
  private final Map<PeerId, Progress> progress = new LinkedHashMap<>();
  private int heartbeatElapsed;
  /** New entries were appended since the last broadcast; sent at the next ready() as one batch. */
  private boolean pendingBroadcast;

  LeaderRole(RaftNode n) {
    for (PeerId p : n.others()) progress.put(p, new Progress(n.log.lastIndex() + 1, n.config().maxInflightAppends()));
  }

  @Override
  public RaftRole kind() {
    return RaftRole.LEADER;
  }

  boolean hasPendingBroadcast() {
    return pendingBroadcast;
  }

  /** Appends the leader's own new entries; they go out with the next ready(). */
  void appendLocal(RaftNode n, List<LogEntry> entries) {
    n.log.append(entries);
    pendingBroadcast = true;
  }

  /** Our own write came back: the entries count for us now (a single-voter group commits here). */
  void onStable(RaftNode n) {
    maybeCommit(n);
  }

  void flushBroadcast(RaftNode n) {
    if (!pendingBroadcast) return;
    pendingBroadcast = false;
    for (PeerId p : progress.keySet()) sendAppends(n, p);
  }

  @Override
  public void tick(RaftNode n) {
    for (Progress pr : progress.values()) {
      // A snapshot or its answer was lost: probe again, which resends it if still needed. Half an
      // election timeout: long enough for a large snapshot to arrive, short enough that a few
      // losses in a row (10 % each way on the lab's unreliable network) cost well under a second
      // (with two election timeouts, four lost snapshots in a row took 8 s; found by lab stress).
      if (pr.state == Progress.State.SNAPSHOT && ++pr.ticksInSnapshot >= snapshotRetryTicks(n)) pr.becomeProbe();
    }
    if (++heartbeatElapsed >= n.config().heartbeatTicks()) {
      heartbeatElapsed = 0;
      broadcastHeartbeat(n);
    }
  }

  private static int snapshotRetryTicks(RaftNode n) {
    return Math.max(2, n.config().electionTicks() / 2);
  }

  void broadcastHeartbeat(RaftNode n) {
    for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
      long commit = Math.min(e.getValue().match, n.log.committed());
      n.send(new Heartbeat(n.term(), n.id(), e.getKey(), commit));
    }
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (m instanceof AppendEntriesResponse r) onAppendResponse(n, r);
    else if (m instanceof HeartbeatResponse r) onHeartbeatResponse(n, r);
    else if (m instanceof InstallSnapshotResponse r) onSnapshotResponse(n, r);
    else if (m instanceof RequestVote r) n.handleRequestVote(r); // same term: we voted for ourselves, so this rejects
    else if (FollowerRole.isFromLeader(m))
      throw new IllegalStateException("two leaders in term " + n.term() + ": " + n.id() + " got " + m.describe());
  }

  private void onAppendResponse(RaftNode n, AppendEntriesResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    if (!r.success()) {
      onRejection(n, r, pr);
      return;
    }
    if (pr.maybeUpdate(r.matchIndex())) {
      switch (pr.state) {
        case PROBE -> pr.becomeReplicate();
        case SNAPSHOT -> {
          if (pr.match >= pr.pendingSnapshot) pr.becomeProbe();
        }
        case REPLICATE -> pr.inflights.freeTo(pr.match);
      }
      maybeCommit(n);
    }
    sendAppends(n, r.from());
  }

  private void onRejection(RaftNode n, AppendEntriesResponse r, Progress pr) {
    long hintNext = nextFromHint(n, r);
    switch (pr.state) {
      case REPLICATE -> {
        if (r.rejectedIndex() <= pr.match) return; // stale: we learned more since
        pr.becomeProbe();
        pr.next = Math.max(pr.match + 1, Math.min(hintNext, r.rejectedIndex()));
      }
      case PROBE -> {
        if (pr.next - 1 != r.rejectedIndex()) return; // answers an older probe
        pr.next = Math.max(pr.match + 1, Math.min(hintNext, r.rejectedIndex()));
        pr.probeSent = false;
      }
      case SNAPSHOT -> {
        return;
      }
    }
    n.logger().debug(n.term(), n.id() + " backing up " + r.from() + " to " + pr.describe() + " after " + r.describe());
    sendAppend(n, r.from(), pr, true);
  }

  /** Where to retry after a rejection: just past our last entry of the follower's conflicting term. */
  private static long nextFromHint(RaftNode n, AppendEntriesResponse r) {
    if (r.conflictTerm() == 0) return r.conflictIndex();
    long i = Math.min(r.rejectedIndex(), n.log.lastIndex());
    while (i >= n.log.firstIndex()) {
      long t = n.log.term(i);
      if (t == r.conflictTerm()) return i + 1;
      if (t < r.conflictTerm()) break;
      i--;
    }
    return r.conflictIndex();
  }

  private void onHeartbeatResponse(RaftNode n, HeartbeatResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    pr.probeSent = false;
    if (pr.state == Progress.State.REPLICATE && pr.inflights.isFull()) pr.inflights.freeFirst();
    // The follower may have missed appends: an empty one makes it tell us where it stands.
    if (pr.match < n.log.lastIndex()) sendAppend(n, r.from(), pr, true);
  }

  private void onSnapshotResponse(RaftNode n, InstallSnapshotResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) return;
    pr.maybeUpdate(r.matchIndex());
    if (pr.state == Progress.State.SNAPSHOT) {
      n.logger().info(n.term(), n.id() + " follower " + r.from() + " installed snapshot up to " + r.matchIndex());
      pr.becomeProbe();
    }
    maybeCommit(n);
    sendAppends(n, r.from());
  }

  /** Sends appends to one follower until it is caught up or its pipeline is full. */
  private void sendAppends(RaftNode n, PeerId to) {
    Progress pr = progress.get(to);
    while (sendAppend(n, to, pr, false)) {
      if (pr.state != Progress.State.REPLICATE) break;
    }
  }

  /** Sends one append (or the snapshot, if the entries it needs are compacted). */
  private boolean sendAppend(RaftNode n, PeerId to, Progress pr, boolean sendIfEmpty) {
    if (pr.isPaused()) return false;
    RaftLog log = n.log;
    long prevIndex = pr.next - 1;
    long prevTerm = log.term(prevIndex);
    if (prevTerm == RaftLog.UNKNOWN_TERM) {
      sendSnapshot(n, to, pr);
      return false;
    }
    List<LogEntry> entries = pr.next <= log.lastIndex()
        ? log.entries(pr.next, log.lastIndex() + 1, n.config().maxBytesPerAppend())
        : new ArrayList<>();
    if (entries.isEmpty() && !sendIfEmpty) return false;
    n.send(new AppendEntries(n.term(), n.id(), to, prevIndex, prevTerm, entries, log.committed()));
    if (pr.state == Progress.State.REPLICATE && !entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).index();
      pr.next = last + 1;
      pr.inflights.add(last);
    } else if (pr.state == Progress.State.PROBE) {
      pr.probeSent = true;
    }
    return true;
  }

  private void sendSnapshot(RaftNode n, PeerId to, Progress pr) {
    Snapshot snap = n.storage().snapshot();
    if (snap.isEmpty()) throw new IllegalStateException("entries before " + n.log.firstIndex() + " compacted but no snapshot");
    n.logger().info(n.term(), n.id() + " sending " + snap.meta().describe() + " to " + to + " [" + pr.describe() + "]");
    pr.becomeSnapshot(snap.meta().index());
    n.send(new InstallSnapshot(n.term(), n.id(), to, snap));
  }

  /**
   * Commits the highest index a majority holds on disk, if it is of the current term (Figure 8).
   * The leader counts only what it has written itself: its appends leave before its own write
   * (see {@link Ready#sendBeforePersist()}), so its log may run ahead of its disk.
   */
  private void maybeCommit(RaftNode n) {
    List<Long> matches = new ArrayList<>(progress.size() + 1);
    matches.add(n.log.stableLastIndex());
    for (Progress pr : progress.values()) matches.add(pr.match);
    long index = Quorum.committedIndex(matches);
    if (index > n.log.committed()
        && (n.log.term(index) == n.term() || n.config().unsafeRule() == RaftConfig.UnsafeRule.COMMIT_OLD_TERM_BY_COUNTING)) {
      n.log.commitTo(index);
      n.logger().debug(n.term(), n.id() + " committed up to " + index);
    }
  }
}
