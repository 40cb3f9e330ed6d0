package testkit.sim;

import raft.PeerId;
import raft.core.ReadState;
import raft.message.LogEntry;
import raft.message.Snapshot;

/** What a simulated peer hands its service: the lab's ApplyMsg stream, per peer incarnation. */
public interface ApplyListener {
  void applied(PeerId peer, LogEntry entry);

  void snapshotInstalled(PeerId peer, Snapshot snapshot);

  /** A linearizable read this peer was asked for is released: serve it once applied up to its index. */
  default void readReleased(PeerId peer, ReadState read) {}

  /** A read this peer was asked for was dropped: its caller must retry. */
  default void readDropped(PeerId peer, long id) {}
}
