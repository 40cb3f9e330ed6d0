package raft.rsm;

import java.util.ArrayList;
import java.util.List;
import wire.Bytes;

/**
 * The server half of a replicated service, without Akka or threads, so the actor server and the
 * simulated lab servers run the same logic: remember who waits for which proposal, apply committed
 * entries through a {@link Replica}, answer the waiting callers, and say when the Raft state has
 * grown enough to snapshot (the lab's maxraftstate).
 *
 * <p>Mutable, owned by exactly one actor or simulated process.
 *
 * @param <T> whatever identifies a caller (an actor ref, a simulated reply channel)
 */
public final class ServiceCore<C, R, T> {

  /**
   * The answer owed to one caller: {@code result} is the command's result, or null if the
   * caller's entry was not the one applied (lost to another leader, or covered by a snapshot), in
   * which case it must retry, safely, with the same sequence number.
   */
  public record Answer<T, R>(T caller, R result) {}

  private final Replica<C, R> replica;
  private final Codec<C> commands;
  private final long maxRaftStateBytes;
  private final PendingCalls<T> pending = new PendingCalls<>();

  /** @param maxRaftStateBytes snapshot when the persisted Raft state reaches this size; -1: never */
  public ServiceCore(Replica<C, R> replica, Codec<C> commands, long maxRaftStateBytes) {
    this.replica = replica;
    this.commands = commands;
    this.maxRaftStateBytes = maxRaftStateBytes;
  }

  public Replica<C, R> replica() {
    return replica;
  }

  /** The log entry for a client's command. */
  public Bytes encode(Envelope<C> envelope) {
    return envelope.encode(commands);
  }

  /** The leader accepted the caller's proposal at (index, term): the caller waits for that entry. */
  public void proposed(long index, long term, T caller) {
    pending.add(index, term, caller);
  }

  public int waiting() {
    return pending.size();
  }

  /** Applies the committed entry (index, term) and returns the answers it settles. */
  public List<Answer<T, R>> apply(long index, long term, Bytes data) {
    Replica.Outcome<R> outcome = replica.apply(index, data);
    List<Answer<T, R>> out = new ArrayList<>();
    for (PendingCalls.Finished<T> f : pending.applied(index, term)) {
      out.add(new Answer<>(f.caller(), f.applied() ? outcome.result() : null));
    }
    return out;
  }

  /** Whether this service snapshots at all (maxraftstate > 0); lets callers skip measuring the Raft state. */
  public boolean snapshotting() {
    return maxRaftStateBytes > 0;
  }

  /** Whether the service should hand Raft a snapshot now, given the persisted Raft state size. */
  public boolean shouldSnapshot(long raftStateBytes) {
    return maxRaftStateBytes > 0 && raftStateBytes >= maxRaftStateBytes;
  }

  /** The snapshot to hand Raft, taken at {@link Replica#appliedIndex()}. */
  public Bytes snapshot() {
    return replica.snapshot();
  }

  /** Replaces the state by a snapshot installed (or recovered) at {@code index}; callers below it must retry. */
  public List<Answer<T, R>> restore(long index, Bytes snapshot) {
    replica.restore(index, snapshot);
    return retry(pending.coveredBySnapshot(index));
  }

  /** This peer stopped leading (or changed term): every waiting caller must retry elsewhere. */
  public List<Answer<T, R>> leadershipLost() {
    return retry(pending.drain());
  }

  private List<Answer<T, R>> retry(List<PendingCalls.Finished<T>> finished) {
    List<Answer<T, R>> out = new ArrayList<>(finished.size());
    for (PendingCalls.Finished<T> f : finished) out.add(new Answer<>(f.caller(), null));
    return out;
  }
}
