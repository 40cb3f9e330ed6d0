package testkit.nodes;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kvraft.KvClient;
import kvraft.KvReply;
import node.http.HttpKvClient;
import testkit.linearizability.HistoryRecorder;
import testkit.linearizability.KvInput;
import testkit.linearizability.KvOutput;

/**
 * Clients of node processes over their HTTP APIs, for linearizability checks: {@code clients}
 * threads, client {@code i} sending to {@code bases[i % n]}, each a sequential stream of puts,
 * gets, appends and CASes on a few keys, every operation recorded in {@link #history}. A reply
 * that is not a result (timeout, no leader, I/O error) leaves its operation pending: its effect
 * is unknown to the checker. Also keeps the time of every acknowledged write, to see how long
 * the clients could not write.
 */
public final class HttpKvWorkload implements AutoCloseable {
  private static final List<String> KEYS = List.of("k0", "k1", "k2");
  private static final List<String> APPEND_KEYS = List.of("a0", "a1");
  /** After an unknown outcome, so that a dead node's refused connections do not flood the history. */
  private static final long BACKOFF_MS = 50;

  private final HistoryRecorder<KvInput, KvOutput> history = new HistoryRecorder<>();
  private final ConcurrentLinkedQueue<Long> writeAcks = new ConcurrentLinkedQueue<>();
  private final List<ConcurrentLinkedQueue<Long>> writeAcksByClient = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger unknown = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> rejected = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  /** Starts the clients at once. */
  public HttpKvWorkload(List<String> bases, int clients, Duration requestTimeout, long seed) {
    this(bases, clients, requestTimeout, seed, false);
  }

  /**
   * As above; with {@code failover}, a client moves on to the next base after an unknown outcome
   * (as a client behind a load balancer would), so that nodes can be restarted in turn under load.
   */
  public HttpKvWorkload(List<String> bases, int clients, Duration requestTimeout, long seed, boolean failover) {
    for (int i = 0; i < clients; i++) writeAcksByClient.add(new ConcurrentLinkedQueue<>());
    for (int i = 0; i < clients; i++) {
      int id = i;
      List<KvClient> cs = new ArrayList<>();
      for (int b = 0; b < (failover ? bases.size() : 1); b++) {
        cs.add(new HttpKvClient(URI.create(bases.get((i + b) % bases.size())), requestTimeout));
      }
      Thread t = new Thread(() -> run(id, cs, new SplittableRandom(seed + id)), "http-kv-client-" + i);
      threads.add(t);
      t.start();
    }
  }

  private void run(int id, List<KvClient> clients, SplittableRandom rnd) {
    KvClient c = clients.get(0);
    for (int n = 0; !stop.get(); n++) {
      int dice = rnd.nextInt(100);
      String key = KEYS.get(rnd.nextInt(KEYS.size()));
      String value = "c" + id + "-" + n;
      KvInput in;
      KvReply r;
      if (dice < 35) {
        in = new KvInput.Put(key, value);
      } else if (dice < 65) {
        in = new KvInput.Get(rnd.nextInt(4) == 0 ? APPEND_KEYS.get(rnd.nextInt(APPEND_KEYS.size())) : key);
      } else if (dice < 80) {
        in = new KvInput.Append(APPEND_KEYS.get(rnd.nextInt(APPEND_KEYS.size())), value + ";");
      } else {
        // Expect a recent value of some client: now and then it matches and the CAS swaps.
        String expected = rnd.nextInt(3) == 0 ? null : "c" + rnd.nextInt(4) + "-" + Math.max(0, n - 1 - rnd.nextInt(3));
        in = new KvInput.Cas(key, expected, value);
      }
      HistoryRecorder<KvInput, KvOutput>.Call call = history.call(id, in);
      r = execute(c, in).toCompletableFuture().join(); // HttpKvClient: a reply, never an exception, within its timeout
      KvOutput out = output(in, r);
      if (out != null) {
        call.returned(out);
        if (!(in instanceof KvInput.Get)) {
          long now = System.nanoTime();
          writeAcks.add(now);
          writeAcksByClient.get(id).add(now);
        }
        continue;
      }
      if (r instanceof KvReply.Rejected rej) rejected.add(in + " -> " + rej);
      unknown.incrementAndGet();
      c = clients.get((clients.indexOf(c) + 1) % clients.size());
      try {
        Thread.sleep(BACKOFF_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static java.util.concurrent.CompletionStage<KvReply> execute(KvClient c, KvInput in) {
    if (in instanceof KvInput.Put p) return c.put(p.key(), p.value());
    if (in instanceof KvInput.Get g) return c.get(g.key());
    if (in instanceof KvInput.Append a) return c.append(a.key(), a.value());
    KvInput.Cas s = (KvInput.Cas) in;
    return c.cas(s.key(), s.expected(), s.value());
  }

  /** The checker's output for a definite reply; null if the outcome is unknown. */
  private static KvOutput output(KvInput in, KvReply r) {
    if (in instanceof KvInput.Get) {
      if (r instanceof KvReply.Value v) return KvOutput.value(v.value());
      if (r instanceof KvReply.NoKey) return KvOutput.NO_KEY;
      return null;
    }
    if (in instanceof KvInput.Cas) {
      return r instanceof KvReply.CasResult cas ? KvOutput.CasResult.of(cas.swapped(), cas.previous()) : null;
    }
    return r instanceof KvReply.Done ? KvOutput.DONE : null;
  }

  /** Stops the clients and waits for their last operations. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) t.join(60_000);
  }

  public HistoryRecorder<KvInput, KvOutput> history() {
    return history;
  }

  /** {@link System#nanoTime()} of every acknowledged write, in no particular order. */
  public List<Long> writeAcks() {
    return List.copyOf(writeAcks);
  }

  /** How many writes the clients sending to {@code bases[base]} had acknowledged after {@code from} (nanoTime). */
  public long writesAckedThrough(int base, int bases, long from) {
    long n = 0;
    for (int i = base; i < writeAcksByClient.size(); i += bases) {
      n += writeAcksByClient.get(i).stream().filter(t -> t > from).count();
    }
    return n;
  }

  /** How many operations ended with an unknown outcome (pending in the history). */
  public int unknown() {
    return unknown.get();
  }

  /** Operations refused as bad input or answered with an unexpected error: each one a bug. */
  public List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** The longest time within [from, to] (nanoTime) without an acknowledged write, in ms. */
  public double longestWriteGapMillis(long from, long to) {
    List<Long> acks = new ArrayList<>(writeAcks.stream().filter(t -> t >= from && t <= to).sorted().toList());
    acks.add(0, from);
    acks.add(to);
    long max = 0;
    for (int i = 1; i < acks.size(); i++) max = Math.max(max, acks.get(i) - acks.get(i - 1));
    return max / 1e6;
  }
}
