package raft.rsm;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import raft.message.LogEntry;
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
  /** Queries whose read index is confirmed, waiting for this replica to apply up to it. */
  private final TreeMap<Long, List<Query<C, T>>> queries = new TreeMap<>();
  private int queriesWaiting;

  private record Query<C, T>(C command, T caller) {}

  /** How many applied results are kept for acceptances that arrive after their entry was applied. */
  static final int RECENT_RESULTS = 4096;

  private record Recent<R>(long term, R result) {}

  /**
   * Results of the latest applied entries by index. An actor server learns that its proposal was
   * accepted through a reply that is not ordered with the applied entries, so with fast followers
   * the entry can be committed and applied before the acceptance arrives.
   */
  private final Map<Long, Recent<R>> recent = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Recent<R>> eldest) {
      return size() > RECENT_RESULTS;
    }
  };

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

  /**
   * The leader accepted the caller's proposal at (index, term): the caller waits for that entry,
   * or, if the entry was applied already, gets its answer now (the returned value).
   */
  public Optional<Answer<T, R>> proposed(long index, long term, T caller) {
    if (index > replica.appliedIndex()) {
      pending.add(index, term, caller);
      return Optional.empty();
    }
    Recent<R> done = recent.get(index);
    boolean ours = done != null && done.term() == term;
    return Optional.of(new Answer<>(caller, ours ? done.result() : null));
  }

  public int waiting() {
    return pending.size() + queriesWaiting;
  }

  /**
   * A query whose read index is {@code index} (a confirmed ReadIndex; the applied index now for a
   * serializable read): answered now if this replica has applied that far, else once it has
   * (returned by {@link #apply} or {@link #restore}).
   */
  public Optional<Answer<T, R>> query(long index, C command, T caller) {
    if (index <= replica.appliedIndex()) return Optional.of(new Answer<>(caller, replica.query(command)));
    queries.computeIfAbsent(index, i -> new ArrayList<>(1)).add(new Query<>(command, caller));
    queriesWaiting++;
    return Optional.empty();
  }

  /** Runs the queries whose read index has been applied, on the state now; adds their answers to {@code out}. */
  private List<Answer<T, R>> answerQueries(List<Answer<T, R>> out) {
    while (!queries.isEmpty() && queries.firstKey() <= replica.appliedIndex()) {
      for (Query<C, T> q : queries.pollFirstEntry().getValue()) {
        out.add(new Answer<>(q.caller(), replica.query(q.command())));
        queriesWaiting--;
      }
    }
    return out;
  }

  /**
   * Applies a committed log entry and returns the answers it settles. Only a
   * {@link LogEntry#isNormal() normal} entry is a command; Raft's own entries (a leader's no-op, a
   * membership change) only advance the applied index, and a caller waiting at that index must retry.
   */
  public List<Answer<T, R>> apply(LogEntry entry) {
    return apply(entry.index(), entry.term(), entry.isNormal() ? entry.command() : Bytes.EMPTY);
  }

  /** Applies the committed entry (index, term) and returns the answers it settles. */
  public List<Answer<T, R>> apply(long index, long term, Bytes data) {
    Replica.Outcome<R> outcome = replica.apply(index, data);
    recent.put(index, new Recent<>(term, outcome.result()));
    List<Answer<T, R>> out = new ArrayList<>();
    for (PendingCalls.Finished<T> f : pending.applied(index, term)) {
      out.add(new Answer<>(f.caller(), f.applied() ? outcome.result() : null));
    }
    return answerQueries(out);
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
    return restore(index, snapshot.newInputStream());
  }

  /** {@link #restore(long, Bytes)} from a stream, read as it goes (an image in a snapshot file). */
  public List<Answer<T, R>> restore(long index, InputStream snapshot) {
    replica.restore(index, snapshot);
    recent.clear();
    return answerQueries(retry(pending.coveredBySnapshot(index)));
  }

  /** Every waiting caller, e.g. when the peer stopped: all must retry. */
  public List<Answer<T, R>> drain() {
    List<Answer<T, R>> out = retry(pending.drain());
    for (List<Query<C, T>> qs : queries.values()) for (Query<C, T> q : qs) out.add(new Answer<>(q.caller(), null));
    queries.clear();
    queriesWaiting = 0;
    return out;
  }

  /**
   * This peer stopped leading (or changed term): every caller waiting for its entry must retry
   * elsewhere. Queries stay: their read index was confirmed, and serving them at it is still linearizable.
   */
  public List<Answer<T, R>> leadershipLost() {
    return retry(pending.drain());
  }

  private List<Answer<T, R>> retry(List<PendingCalls.Finished<T>> finished) {
    List<Answer<T, R>> out = new ArrayList<>(finished.size());
    for (PendingCalls.Finished<T> f : finished) out.add(new Answer<>(f.caller(), null));
    return out;
  }
}
