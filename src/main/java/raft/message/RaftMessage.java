package raft.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import raft.PeerId;
import wire.CborSerializable;

/**
 * One message between two Raft peers. Messages replace the lab's RPCs: a request and its
 * response are two independent messages, either of which the network may drop, delay or
 * reorder. Every message carries the sender's term.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RequestVote.class, name = "RequestVote"),
  @JsonSubTypes.Type(value = RequestVoteResponse.class, name = "RequestVoteResponse"),
  @JsonSubTypes.Type(value = AppendEntries.class, name = "AppendEntries"),
  @JsonSubTypes.Type(value = AppendEntriesResponse.class, name = "AppendEntriesResponse"),
  @JsonSubTypes.Type(value = Heartbeat.class, name = "Heartbeat"),
  @JsonSubTypes.Type(value = HeartbeatResponse.class, name = "HeartbeatResponse"),
  @JsonSubTypes.Type(value = InstallSnapshot.class, name = "InstallSnapshot"),
  @JsonSubTypes.Type(value = InstallSnapshotResponse.class, name = "InstallSnapshotResponse"),
  @JsonSubTypes.Type(value = PreVote.class, name = "PreVote"),
  @JsonSubTypes.Type(value = PreVoteResponse.class, name = "PreVoteResponse"),
  @JsonSubTypes.Type(value = TimeoutNow.class, name = "TimeoutNow"),
})
public sealed interface RaftMessage extends CborSerializable
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
        TimeoutNow {

  long term();

  PeerId from();

  PeerId to();

  /** True for requests (what the lab counts as one RPC), false for responses. Derived, never sent. */
  @JsonIgnore
  boolean isRequest();

  /** One stable line for logs, test failures and transcripts. */
  String describe();
}
