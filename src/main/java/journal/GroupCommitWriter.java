package journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer thread of a group-commit journal. Requests queue up while it writes; each turn it
 * takes everything queued and writes it as ONE LevelDB batch with one fsync, then completes the
 * requests. So the writes of every group on a node that arrive during one fsync share the next one
 * (node-wide group commit), where Akka's LevelDB journal does one fsync per persist call in series.
 *
 * <p>Reads of the highest sequence number queue here too and are answered after the turn's batch
 * is durable: a restarting persistent actor whose previous incarnation still has a write queued
 * then sees that write and does not reuse its sequence numbers.
 */
final class GroupCommitWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
  /** Requests taken in one turn at most, so one batch stays a bounded amount of memory. */
  private static final int MAX_REQUESTS_PER_TURN = 4096;

  /** One serialized event of an atomic write. */
  static final class Event {
    final long sequenceNr;
    final byte[] bytes;

    Event(long sequenceNr, byte[] bytes) {
      this.sequenceNr = sequenceNr;
      this.bytes = bytes;
    }
  }

  /**
   * One atomic write ready to go: its events, or the reason it was rejected (a serialization
   * failure: only this write fails, nothing of it is written).
   */
  static final class PreparedWrite {
    final String persistenceId;
    final List<Event> events;
    final Exception rejected;

    private PreparedWrite(String persistenceId, List<Event> events, Exception rejected) {
      this.persistenceId = persistenceId;
      this.events = events;
      this.rejected = rejected;
    }

    static PreparedWrite of(String persistenceId, List<Event> events) {
      return new PreparedWrite(persistenceId, List.copyOf(events), null);
    }

    static PreparedWrite rejected(String persistenceId, Exception why) {
      return new PreparedWrite(persistenceId, List.of(), why);
    }
  }

  private sealed interface Request {}

  private record Append(List<PreparedWrite> writes, CompletableFuture<List<Optional<Exception>>> done) implements Request {}

  private record Delete(String persistenceId, long toSequenceNr, CompletableFuture<Void> done) implements Request {}

  private record ReadHighest(String persistenceId, CompletableFuture<Long> done) implements Request {}

  private enum Stop implements Request { INSTANCE }

  private final JournalStore store;
  private final boolean fsync;
  private final JournalCounters counters;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  GroupCommitWriter(JournalStore store, boolean fsync, JournalCounters counters) {
    this.store = store;
    this.fsync = fsync;
    this.counters = counters;
    this.thread = new Thread(this::run, "journal-writer " + store.dir().getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes with one entry per write, in order: empty if written, else why it was rejected. */
  CompletableFuture<List<Optional<Exception>>> append(List<PreparedWrite> writes) {
    return enqueue(new Append(List.copyOf(writes), new CompletableFuture<>()), Append::done);
  }

  CompletableFuture<Void> deleteTo(String persistenceId, long toSequenceNr) {
    return enqueue(new Delete(persistenceId, toSequenceNr, new CompletableFuture<>()), Delete::done);
  }

  CompletableFuture<Long> highest(String persistenceId) {
    return enqueue(new ReadHighest(persistenceId, new CompletableFuture<>()), ReadHighest::done);
  }

  private <R extends Request, T> CompletableFuture<T> enqueue(R request, java.util.function.Function<R, CompletableFuture<T>> done) {
    if (closed) return CompletableFuture.failedFuture(closedException());
    queue.add(request);
    return done.apply(request);
  }

  /** Writes what is queued, then stops the thread (waits for it). */
  @Override
  public void close() {
    closed = true;
    queue.add(Stop.INSTANCE);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Request> turn = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      turn.clear();
      try {
        turn.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(turn, MAX_REQUESTS_PER_TURN - 1);
      try {
        stop = handle(turn);
      } catch (RuntimeException | Error e) { // never leave a caller waiting: fail this turn, keep serving
        LOG.error("journal {}: a write turn failed", store.dir(), e);
        for (Request r : turn) fail(r, e);
      }
    }
    // Requests that raced with close: enqueued after the Stop.
    List<Request> late = new ArrayList<>();
    queue.drainTo(late);
    for (Request r : late) fail(r, closedException());
  }

  /** One turn: one batch (two if a delete must wait for a write of its persistence id). Returns true on Stop. */
  private boolean handle(List<Request> turn) {
    boolean stop = false;
    Pending pending = new Pending(store.newBatch());
    List<ReadHighest> reads = new ArrayList<>();
    for (Request r : turn) {
      if (r instanceof Append a) pending.add(a);
      else if (r instanceof Delete d) {
        if (pending.batch.writes(d.persistenceId())) pending = pending.commitAndContinue();
        pending.batch.deleteTo(d.persistenceId(), d.toSequenceNr());
        pending.deletes.add(d);
      } else if (r instanceof ReadHighest h) reads.add(h);
      else stop = true;
    }
    pending.commit();
    for (ReadHighest h : reads) h.done().complete(store.highest(h.persistenceId()));
    return stop;
  }

  /** The requests of one batch, completed once it is durable (or failed with it). */
  private final class Pending {
    final JournalStore.Batch batch;
    final List<Append> appends = new ArrayList<>();
    final List<List<Optional<Exception>>> results = new ArrayList<>();
    final List<Delete> deletes = new ArrayList<>();
    int writes;
    int events;
    long bytes;

    Pending(JournalStore.Batch batch) {
      this.batch = batch;
    }

    void add(Append a) {
      List<Optional<Exception>> result = new ArrayList<>(a.writes().size());
      for (PreparedWrite w : a.writes()) {
        if (w.rejected != null) {
          counters.writeRejected();
          result.add(Optional.of(w.rejected));
          continue;
        }
        for (Event e : w.events) {
          batch.append(w.persistenceId, e.sequenceNr, e.bytes);
          bytes += e.bytes.length;
        }
        events += w.events.size();
        writes++;
        result.add(Optional.empty());
      }
      appends.add(a);
      results.add(result);
    }

    Pending commitAndContinue() {
      commit();
      return new Pending(store.newBatch());
    }

    void commit() {
      if (batch.isEmpty()) {
        batch.discard();
      } else {
        long t0 = System.nanoTime();
        try {
          batch.commit(fsync);
        } catch (RuntimeException e) {
          counters.batchFailed();
          LOG.error("journal {}: a write of {} atomic writes failed", store.dir(), writes, e);
          for (Append a : appends) a.done().completeExceptionally(e);
          for (Delete d : deletes) d.done().completeExceptionally(e);
          return;
        }
        counters.batchWritten(writes, events, bytes, System.nanoTime() - t0);
      }
      for (int i = 0; i < appends.size(); i++) appends.get(i).done().complete(List.copyOf(results.get(i)));
      for (Delete d : deletes) d.done().complete(null);
    }
  }

  private static void fail(Request r, Throwable e) {
    if (r instanceof Append a) a.done().completeExceptionally(e);
    else if (r instanceof Delete d) d.done().completeExceptionally(e);
    else if (r instanceof ReadHighest h) h.done().completeExceptionally(e);
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("journal " + store.dir() + " is closed");
  }
}
