package testkit.sim;

import raft.PeerId;
import raft.message.LogEntry;
import raft.message.Snapshot;

/** What a simulated peer hands its service: the lab's ApplyMsg stream, per peer incarnation. */
public interface ApplyListener {
  void applied(PeerId peer, LogEntry entry);

  void snapshotInstalled(PeerId peer, Snapshot snapshot);
}
