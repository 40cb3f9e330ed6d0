package raft.message;

import java.util.Optional;
import raft.Describable;
import raft.PeerId;
import wire.CborSerializable;

/**
 * What a peer must have on disk before it answers anybody: its current term, whom it voted for
 * in that term, and the highest index it knows to be committed (saved so a restart can deliver
 * committed entries again without waiting for a leader).
 */
public record HardState(long term, Optional<PeerId> votedFor, long commit) implements CborSerializable, Describable {
  public static final HardState INITIAL = new HardState(0, Optional.empty(), 0);

  public String describe() {
    return "term " + term + ", vote " + votedFor.map(PeerId::id).orElse("none") + ", commit " + commit;
  }
}
