package node;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import raft.PeerId;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;

/**
 * What an operator does to a running group: list its members, change them one step at a time
 * (add a learner, promote it, remove a member) and move its leadership. Implemented over Akka
 * ({@link AkkaGroupAdmin}, used by a node's HTTP API and {@code bin/raftkv admin}) and over HTTP
 * ({@code node.http.HttpGroupAdmin}, {@code bin/raftkv admin --http}). No Akka types.
 */
public interface GroupAdmin extends AutoCloseable {
  /** Every answering replica's view of the membership (none answered: an empty list). */
  CompletionStage<GroupMembers> members();

  /**
   * Sends {@code change} to the leader (found through the replicas' hints): {@link AdminReply.Changed}
   * once the change is applied on the leader, else the typed refusal ({@code MembershipRefused},
   * {@code NotLeader} when no leader was found in time, {@code Unavailable}).
   */
  CompletionStage<AdminReply> change(MembershipChange change);

  /**
   * Asks the leader to hand over to {@code target} (empty: the most up-to-date voter):
   * {@link AdminReply.TransferStarted} or the typed refusal. The transfer completes (or gives up)
   * within an election timeout: {@link #awaitLeader} waits for it.
   */
  CompletionStage<AdminReply> transferLeadership(Optional<PeerId> target);

  @Override
  void close();

  /** Polls {@link #members()} until {@code p} leads; the last view if it does not within {@code timeout}. */
  default GroupMembers awaitLeader(PeerId p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    GroupMembers last = new GroupMembers(java.util.List.of());
    while (true) {
      try {
        last = members().toCompletableFuture().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // no answer this round: try again until the deadline
      }
      if (last.isLeader(p) || System.nanoTime() > deadline) return last;
      Thread.sleep(50);
    }
  }

  /** Blocks for one reply; for tests and command-line tools, never inside an actor. */
  static <T> T await(CompletionStage<T> stage, Duration timeout) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException("no answer within " + timeout + ": " + e, e);
    }
  }
}
