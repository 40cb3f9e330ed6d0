package kvraft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import raft.core.RaftStatus;

/**
 * A {@link KvClient} over one in-process {@link KvStore}: what a healthy cluster answers, without
 * the cluster. Tests queue failures ({@link #failNext}) that the next commands get instead, and
 * set the status list; it checks {@link KvLimits} like a server does.
 */
public final class InMemoryKvClient implements KvClient {
  private final KvStore store = new KvStore();
  private final KvLimits limits;
  private final Deque<KvReply> injected = new ArrayDeque<>();
  private final List<KvCommand> seen = new ArrayList<>();
  private volatile List<RaftStatus> status = List.of();
  private final AtomicInteger closed = new AtomicInteger();

  public InMemoryKvClient() {
    this(KvLimits.defaults());
  }

  public InMemoryKvClient(KvLimits limits) {
    this.limits = limits;
  }

  /** The next commands are answered with these replies (Busy, Timeout, Rejected ...), in order, unapplied. */
  public synchronized InMemoryKvClient failNext(KvReply... replies) {
    injected.addAll(List.of(replies));
    return this;
  }

  public InMemoryKvClient withStatus(List<RaftStatus> s) {
    status = List.copyOf(s);
    return this;
  }

  /** Every command executed, in order (including those answered with an injected reply). */
  public synchronized List<KvCommand> seen() {
    return List.copyOf(seen);
  }

  public synchronized int size() {
    return store.size();
  }

  public int closeCount() {
    return closed.get();
  }

  @Override
  public synchronized CompletionStage<KvReply> execute(KvCommand command) {
    seen.add(command);
    KvReply fail = injected.poll();
    if (fail != null) return CompletableFuture.completedFuture(fail);
    KvReply r = limits.check(command).<KvReply>map(x -> x).orElseGet(() -> store.apply(command));
    return CompletableFuture.completedFuture(r);
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return CompletableFuture.completedFuture(status);
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }
}
