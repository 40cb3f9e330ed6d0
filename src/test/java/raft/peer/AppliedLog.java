package raft.peer;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.ArrayList;
import java.util.List;
import raft.message.LogEntry;
import raft.message.Snapshot;

/**
 * A test service: records what a peer applies and checks the Applied contract on the way
 * (snapshot first, then consecutive indexes, never an entry twice). Read from the test thread.
 */
final class AppliedLog {
  private final List<LogEntry> entries = new ArrayList<>();
  private Snapshot snapshot = Snapshot.EMPTY;
  private long lastIndex;
  private final List<String> violations = new ArrayList<>();

  Behavior<Applied> behavior() {
    return Behaviors.receiveMessage(m -> {
      record(m);
      return Behaviors.same();
    });
  }

  private synchronized void record(Applied m) {
    if (m instanceof Applied.SnapshotInstalled s) {
      if (s.meta().index() <= lastIndex && lastIndex != 0)
        violations.add("snapshot " + s.meta().describe() + " after applying " + lastIndex);
      try (SnapshotImage image = s.image()) {
        snapshot = s.readSnapshot();
      }
      entries.clear();
      lastIndex = s.meta().index();
    } else if (m instanceof Applied.Committed c) {
      for (LogEntry e : c.entries()) {
        if (e.index() != lastIndex + 1) violations.add("applied " + e.index() + " after " + lastIndex);
        entries.add(e);
        lastIndex = e.index();
      }
    }
  }

  synchronized long lastIndex() {
    return lastIndex;
  }

  synchronized Snapshot snapshot() {
    return snapshot;
  }

  /** Commands applied since the last snapshot, as UTF-8 strings. */
  synchronized List<String> commands() {
    return entries.stream().map(e -> e.command().utf8()).toList();
  }

  synchronized List<LogEntry> entries() {
    return List.copyOf(entries);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }
}
