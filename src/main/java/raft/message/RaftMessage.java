package raft.message;

import raft.Describable;
import raft.PeerId;
import wire.CborSerializable;

/**
 * One message between two Raft peers. Messages replace the lab's RPCs: a request and its
 * response are two independent messages, either of which the network may drop, delay or
 * reorder. Every message carries the sender's term.
 */
public sealed interface RaftMessage extends CborSerializable, Describable
    permits RequestVote,
        RequestVoteResponse,
        AppendEntries,
        AppendEntriesResponse,
        Heartbeat,
        HeartbeatResponse,
        InstallSnapshot,
        InstallSnapshotResponse,
        PreVote,
        PreVoteResponse,
        TimeoutNow,
        ReadIndexRequest,
        ReadIndexResponse,
        WakeUp {

  long term();

  PeerId from();

  PeerId to();

  /** True for requests (what the lab counts as one RPC), false for responses. Derived, never sent. */
  boolean isRequest();

  /** One stable line for logs, test failures and transcripts. */
  String describe();
}
