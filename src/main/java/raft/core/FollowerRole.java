package raft.core;

import java.util.List;
import raft.RaftConfig;
import raft.message.AppendEntries;
import raft.message.AppendEntriesResponse;
import raft.message.EntryKind;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.InstallSnapshot;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.PreVote;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.SnapshotMeta;
import raft.message.TimeoutNow;

/** A follower takes the leader's log and starts an election when the leader goes quiet. */
final class FollowerRole implements Role {

  static boolean isFromLeader(RaftMessage m) {
    return m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot;
  }

  @Override
  public RaftRole kind() {
    return RaftRole.FOLLOWER;
  }

  @Override
  public void tick(RaftNode n) {
    if (n.electionTimerFired()) {
      if (n.promotable()) n.logger().info(n.term(), "{} heard no leader for an election timeout; starting an election", n.id());
      n.hup(false);
    }
  }

  @Override
  public void step(RaftNode n, RaftMessage m) {
    if (isFromLeader(m)) {
      n.resetElectionTimer();
      n.setLeader(m.from());
    }
    if (m instanceof AppendEntries a) onAppendEntries(n, a);
    else if (m instanceof Heartbeat h) onHeartbeat(n, h);
    else if (m instanceof InstallSnapshot s) onInstallSnapshot(n, s);
    else if (m instanceof RequestVote || m instanceof PreVote) n.handleVoteRequest(m);
    else if (m instanceof TimeoutNow) {
      n.logger().info(n.term(), "{} received {}; campaigning at once", n.id(), m);
      n.hup(true);
    }
    // Responses to requests of an earlier role in this term need no action.
  }

  private void onAppendEntries(RaftNode n, AppendEntries a) {
    RaftLog log = n.log;
    if (a.prevLogIndex() < log.committed()) {
      // Everything up to our commit index is settled; tell the leader where to continue.
      n.send(AppendEntriesResponse.accepted(n.term(), n.id(), a.from(), log.committed()));
      return;
    }
    if (!log.matchTerm(a.prevLogIndex(), a.prevLogTerm())) {
      reject(n, a);
      return;
    }
    long lastNew = a.prevLogIndex() + a.entries().size();
    long conflict = log.findConflict(a.entries());
    if (conflict != 0) {
      if (conflict <= log.committed())
        throw new IllegalStateException("entry " + conflict + " conflicts with committed entry (commit " + log.committed() + ")");
      if (conflict <= log.lastIndex())
        n.logger().info(n.term(), "{} truncating its log from index {} (conflict with leader {})", n.id(), conflict, a.from());
      List<LogEntry> fresh = a.entries().subList((int) (conflict - a.prevLogIndex() - 1), a.entries().size());
      log.append(fresh);
      if (n.config().unsafeRule() == RaftConfig.UnsafeRule.CHANGE_ON_APPEND) {
        for (LogEntry e : fresh) {
          if (e.kind() == EntryKind.CONF_CHANGE) n.applyMembership(Membership.decode(e.command()), e.index());
        }
      }
    }
    log.commitTo(Math.min(a.leaderCommit(), lastNew));
    n.send(AppendEntriesResponse.accepted(n.term(), n.id(), a.from(), lastNew));
  }

  /** Rejects with a hint that lets the leader skip a whole conflicting term per round trip. */
  private void reject(RaftNode n, AppendEntries a) {
    RaftLog log = n.log;
    long conflictTerm;
    long conflictIndex;
    if (a.prevLogIndex() > log.lastIndex()) {
      conflictTerm = 0;
      conflictIndex = log.lastIndex() + 1;
    } else {
      conflictTerm = log.term(a.prevLogIndex());
      conflictIndex = a.prevLogIndex();
      long floor = Math.max(log.firstIndex(), log.committed() + 1);
      while (conflictIndex > floor && log.term(conflictIndex - 1) == conflictTerm) conflictIndex--;
    }
    n.logger().debug(n.term(), "{} rejected {} [logterm {}, index {}]", n.id(), a, log.lastTerm(), log.lastIndex());
    n.send(AppendEntriesResponse.rejected(n.term(), n.id(), a.from(), a.prevLogIndex(), conflictTerm, conflictIndex));
  }

  private void onHeartbeat(RaftNode n, Heartbeat h) {
    n.log.commitTo(Math.min(h.commit(), n.log.lastIndex()));
    n.send(new HeartbeatResponse(n.term(), n.id(), h.from(), h.readRound()));
    if (h.quiesce()) n.quiesceFollower(h);
  }

  private void onInstallSnapshot(RaftNode n, InstallSnapshot s) {
    RaftLog log = n.log;
    SnapshotMeta meta = s.snapshot().meta();
    if (meta.index() <= log.committed()) {
      n.send(new InstallSnapshotResponse(n.term(), n.id(), s.from(), log.committed()));
    } else if (log.matchTerm(meta.index(), meta.term())) {
      // We already hold the entries it covers: just learn that they are committed.
      log.commitTo(meta.index());
      n.send(new InstallSnapshotResponse(n.term(), n.id(), s.from(), meta.index()));
    } else {
      n.logger().info(n.term(), "{} restoring {} from {} [last index {}, commit {}]", n.id(), meta, s.from(),
          log.lastIndex(), log.committed());
      log.restore(s.snapshot());
      n.send(new InstallSnapshotResponse(n.term(), n.id(), s.from(), meta.index()));
    }
  }
}
