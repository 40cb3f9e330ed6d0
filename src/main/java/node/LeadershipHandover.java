package node;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import raft.PeerId;

/**
 * Before a node stops, every group one of its replicas leads hands its leadership to another
 * voter, so that the group elects the next leader at once (TimeoutNow) instead of after an
 * election timeout of silence. {@link GracefulShutdown#handOverFirst} runs it in CoordinatedShutdown;
 * {@link ReplicaHandover} implements it over the node's replicas. It never fails: each replica's
 * outcome is reported (and logged), whatever it is.
 */
public interface LeadershipHandover {
  /** What became of one local replica's leadership. */
  enum Result {
    /** The replica did not lead: nothing to hand over. */
    NOT_LEADER,
    /** The replica leads a group with no other voter: nobody to hand over to. */
    SINGLE_VOTER,
    /** Another replica leads now, as the local one sees it. */
    TRANSFERRED,
    /** The leader refused the transfer (see the log for the reason). */
    REFUSED,
    /** No other leader was seen within the timeout (the transfer gave up, or the replica did not answer). */
    TIMED_OUT
  }

  /** The outcome for the replica {@code from} of {@code group}; {@code to} is the new leader if one was seen. */
  record Outcome(GroupId group, PeerId from, Result result, Optional<PeerId> to, Duration took) {}

  /** Hands over every local leadership; completes (never exceptionally) with one outcome per local replica. */
  CompletionStage<List<Outcome>> handOver();

  /** Hands nothing over: what a node with the handover switched off uses. */
  static LeadershipHandover none() {
    return () -> CompletableFuture.completedFuture(List.of());
  }
}
