package shardkv;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.rsm.ReadConsistency;
import shardctrl.ShardConfig;

/**
 * The sharded store's client (the lab's shardkv Clerk, asynchronous): caches the controller's
 * configuration, sends each operation to the group its key's shard is on, and on {@code
 * WrongGroup} or no answer waits {@link Settings#retryDelay()}, refreshes the configuration and
 * tries again, always with the same (client id, sequence number), so a write is applied once even
 * if its shard moves between groups meanwhile (its session moves with the shard). Each operation
 * borrows a session (client id + counter) from a pool, because a group keeps only the last
 * sequence number per client and shard: two writes of one id in flight could hide each other.
 *
 * <p><b>Scan</b> over several shards walks them one after the other, in key order for an
 * order-preserving {@link ShardMapping} ({@link KeyRanges}); for one that is not ({@link
 * LabFirstByte}) it asks every shard and merges. Each shard's part is linearizable (a ReadIndex
 * read at that shard's group, unless a weaker {@link ReadConsistency} is asked for); the whole Scan
 * is <em>not</em> a snapshot across shards: writes to shard B may land between the reads of shard A
 * and shard B.
 *
 * <p><b>Reads</b> run outside the group's log, as queries at the {@link ReadConsistency} asked for
 * (linearizable by default); the group checks the shard's ownership on the state the read runs on,
 * so a linearizable read never returns a value of a shard that moved away.
 *
 * <p>How it reaches groups and the controller is injected ({@link Groups}, {@link Configs}, {@link
 * Timer}), so the same client runs over the simulated lab network and over actors. Thread-safe.
 */
public final class ShardKvClient {

  /** One round of attempts at one group: its answer ({@link ShardKvReply.Kv} or WrongGroup), or null: no answer. */
  public interface Groups {
    CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op);

    /**
     * A read at {@code consistency} (writes ignore it). A network that cannot carry the level
     * (the simulated lab's) reads linearizably, which is never wrong.
     */
    default CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op,
        ReadConsistency consistency) {
      return execute(gid, servers, op);
    }

    /**
     * The same, saying that the client routed with configuration {@code configNum}: a group that has
     * not reached it yet asks the controller at once. A network that cannot carry it drops it.
     */
    default CompletionStage<ShardKvReply> execute(long configNum, int gid, List<String> servers,
        ShardKvCommand.ClientOp op, ReadConsistency consistency) {
      return consistency == ReadConsistency.LINEARIZABLE || !op.op().isRead()
          ? execute(gid, servers, op) : execute(gid, servers, op, consistency);
    }
  }

  /** The controller: its latest configuration (the lab's Query(-1)), or null if it did not answer. */
  public interface Configs {
    CompletionStage<ShardConfig> latest();
  }

  /** Runs a task later. */
  public interface Timer {
    void after(Duration delay, Runnable task);
  }

  /**
   * @param retryDelay pause after WrongGroup or no answer before refreshing the configuration (lab: 100 ms)
   * @param deadline how long one operation may take before it answers {@link KvReply.Timeout}; null: no limit (lab)
   */
  public record Settings(Duration retryDelay, Duration deadline) {
    public static Settings lab() {
      return new Settings(Duration.ofMillis(100), null);
    }
  }

  private static final class Session {
    final long clientId;
    long seq;

    Session(long clientId) {
      this.clientId = clientId;
    }
  }

  private static final SecureRandom IDS = new SecureRandom();

  private final ShardMapping mapping;
  private final Groups groups;
  private final Configs configs;
  private final Timer timer;
  private final LongSupplier nowMillis;
  private final Settings settings;
  private final AtomicReference<ShardConfig> config;
  private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
  private final LongSupplier ids;
  private final AtomicBoolean closed = new AtomicBoolean();

  public ShardKvClient(ShardMapping mapping, Groups groups, Configs configs, Timer timer, LongSupplier nowMillis,
      Settings settings) {
    this(mapping, groups, configs, timer, nowMillis, settings, IDS::nextLong);
  }

  /** @param ids source of client ids (a seeded one in simulations) */
  public ShardKvClient(ShardMapping mapping, Groups groups, Configs configs, Timer timer, LongSupplier nowMillis,
      Settings settings, LongSupplier ids) {
    this.mapping = mapping;
    this.groups = groups;
    this.configs = configs;
    this.timer = timer;
    this.nowMillis = nowMillis;
    this.settings = settings;
    this.ids = ids;
    this.config = new AtomicReference<>(ShardConfig.initial(mapping.nShards()));
  }

  /**
   * Stops retrying: an operation in progress answers {@link KvReply.Timeout} instead of its next
   * retry (a write may or may not have been applied), later ones at once. Without it an operation
   * with no deadline (the lab's settings) whose group never answers retries for ever.
   */
  public void close() {
    closed.set(true);
  }

  /** The configuration this client routes by now. */
  public ShardConfig cachedConfig() {
    return config.get();
  }

  public CompletionStage<KvReply> get(String key) {
    return execute(new KvCommand.Get(key));
  }

  public CompletionStage<KvReply> get(String key, ReadConsistency consistency) {
    return execute(new KvCommand.Get(key), consistency);
  }

  public CompletionStage<KvReply> put(String key, String value) {
    return execute(new KvCommand.Put(key, value));
  }

  public CompletionStage<KvReply> append(String key, String value) {
    return execute(new KvCommand.Append(key, value));
  }

  public CompletionStage<KvReply> delete(String key) {
    return execute(new KvCommand.Delete(key));
  }

  /** Runs one key operation on its key's shard (a Scan here covers only the shard of its start key). */
  public CompletionStage<KvReply> execute(KvCommand op) {
    return execute(op, ReadConsistency.LINEARIZABLE);
  }

  /** {@link #execute(KvCommand)}, a read at {@code consistency} (writes ignore it). */
  public CompletionStage<KvReply> execute(KvCommand op, ReadConsistency consistency) {
    return onShard(mapping.shardOf(ShardKvStateMachine.keyOf(op)), op, consistency);
  }

  /**
   * Keys in [from, to) ({@code to} null: unbounded), at most {@code limit} (0: all), in key order,
   * over every shard the range touches: linearizable per shard, not across shards (see the class comment).
   */
  public CompletionStage<KvReply> scan(String from, String to, int limit) {
    return scan(from, to, limit, ReadConsistency.LINEARIZABLE);
  }

  /** {@link #scan(String, String, int)}, each shard's part read at {@code consistency}. */
  public CompletionStage<KvReply> scan(String from, String to, int limit, ReadConsistency consistency) {
    List<Integer> shards = mapping.shardsInKeyOrder(from, to);
    if (mapping.preservesOrder()) return walk(shards, 0, from, to, limit, consistency, new ArrayList<>());
    List<CompletableFuture<KvReply>> parts = new ArrayList<>();
    for (int s : shards) parts.add(onShard(s, new KvCommand.Scan(from, to, limit), consistency).toCompletableFuture());
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).thenApply(x -> {
      List<KvReply.Entry> all = new ArrayList<>();
      boolean more = false;
      for (CompletableFuture<KvReply> p : parts) {
        KvReply r = p.join();
        if (!(r instanceof KvReply.Scanned sc)) return r; // a timeout
        all.addAll(sc.entries());
        more |= sc.more();
      }
      all.sort(Comparator.comparing(KvReply.Entry::key));
      if (limit > 0 && all.size() > limit) return new KvReply.Scanned(all.subList(0, limit), true);
      return new KvReply.Scanned(all, more);
    });
  }

  private CompletionStage<KvReply> walk(List<Integer> shards, int i, String from, String to, int limit,
      ReadConsistency consistency, List<KvReply.Entry> acc) {
    if (i == shards.size()) return CompletableFuture.completedFuture(new KvReply.Scanned(acc, false));
    int remaining = limit > 0 ? limit - acc.size() : 0;
    return onShard(shards.get(i), new KvCommand.Scan(from, to, remaining), consistency).thenCompose(r -> {
      if (!(r instanceof KvReply.Scanned sc)) return CompletableFuture.completedFuture(r);
      acc.addAll(sc.entries());
      if (limit > 0 && acc.size() >= limit) {
        return CompletableFuture.completedFuture(new KvReply.Scanned(acc, sc.more() || i + 1 < shards.size()));
      }
      return walk(shards, i + 1, from, to, limit, consistency, acc);
    });
  }

  private CompletableFuture<KvReply> onShard(int shard, KvCommand op, ReadConsistency consistency) {
    Session session = op.isRead() ? null : borrow();
    long seq = session == null ? 0 : ++session.seq;
    long clientId = session == null ? 0 : session.clientId;
    ShardKvCommand.ClientOp command = new ShardKvCommand.ClientOp(clientId, seq, shard, op);
    long deadline = settings.deadline() == null ? Long.MAX_VALUE : nowMillis.getAsLong() + settings.deadline().toMillis();
    CompletableFuture<KvReply> result = new CompletableFuture<>();
    attempt(command, consistency, deadline, result);
    if (session != null) result.whenComplete((r, e) -> idle.add(session));
    return result;
  }

  private Session borrow() {
    Session s = idle.poll();
    return s != null ? s : new Session(ids.getAsLong());
  }

  private void attempt(ShardKvCommand.ClientOp command, ReadConsistency consistency, long deadline,
      CompletableFuture<KvReply> result) {
    if (closed.get()) {
      result.complete(KvReply.TIMEOUT);
      return;
    }
    ShardConfig c = config.get();
    int gid = c.gidOf(command.shard());
    List<String> servers = c.groups().get(gid);
    if (servers == null) {
      retryLater(command, consistency, deadline, result);
      return;
    }
    CompletionStage<ShardKvReply> reply = groups.execute(c.num(), gid, servers, command, consistency);
    reply.whenComplete((r, err) -> {
      if (r instanceof ShardKvReply.Kv kv) result.complete(kv.reply());
      else retryLater(command, consistency, deadline, result);
    });
  }

  private void retryLater(ShardKvCommand.ClientOp command, ReadConsistency consistency, long deadline,
      CompletableFuture<KvReply> result) {
    if (closed.get() || nowMillis.getAsLong() >= deadline) {
      result.complete(KvReply.TIMEOUT);
      return;
    }
    timer.after(settings.retryDelay(), () -> configs.latest().whenComplete((c, err) -> {
      if (c != null) config.accumulateAndGet(c, (old, neu) -> neu.num() > old.num() ? neu : old);
      attempt(command, consistency, deadline, result);
    }));
  }
}
