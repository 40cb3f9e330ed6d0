package raft.message;

import java.util.List;
import raft.PeerId;

/**
 * The leader's log replication: entries follow prevLogTerm/prevLogIndex in the leader's log.
 * Also carries the leader's commit index. Sent at once on propose, pipelined up to
 * {@code maxInflightAppends} per follower.
 */
public record AppendEntries(
    long term, PeerId from, PeerId to, long prevLogIndex, long prevLogTerm, List<LogEntry> entries, long leaderCommit)
    implements RaftMessage {
  public AppendEntries {
    entries = List.copyOf(entries);
  }

  @Override
  public boolean isRequest() {
    return true;
  }

  @Override
  public String describe() {
    String range = entries.isEmpty() ? "no entries"
        : "entries " + entries.get(0).index() + ".." + entries.get(entries.size() - 1).index();
    return "AppendEntries " + from + "->" + to + " term " + term + " [prev " + prevLogTerm + "/" + prevLogIndex + ", "
        + range + ", commit " + leaderCommit + "]";
  }
}
