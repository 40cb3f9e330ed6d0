package raft.peer;

import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/** The answer to {@link RaftPeer.ReadIndex}. */
public sealed interface ReadIndexReply extends CborSerializable {

  /** Serve the read from the local state machine once it has applied up to {@code index} (never earlier). */
  record Confirmed(long index) implements ReadIndexReply {}

  /**
   * This peer could not confirm a read index: it does not lead and knows no leader, lost its
   * leadership or term while the read waited, or its leader did not answer in time. Retry, on the hinted leader if any.
   */
  record NotLeader(Optional<PeerId> leaderHint) implements ReadIndexReply {}

  /** A lease read asked of a peer whose configuration has no read lease (never served as another kind). */
  record LeaseNotConfigured() implements ReadIndexReply {}
}
