package bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import node.NodeSettings;
import node.ShardAdmin;
import node.ShardedNode;
import node.ShardedSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.core.RaftStatus;
import journal.GroupCommitJournals;
import journal.JournalCounters;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.ShardMapping;

/**
 * {@code bench shardkv}: the sharded local cluster of {@code bin/raftkv local --sharded} (three
 * nodes in this JVM, a controller and the initial groups of three replicas, each node's replicas on
 * its one group-commit journal, fsync on) on
 * fresh data, with {@code groups} groups (joined on all three nodes, or the last initial ones
 * leaving, through the admin API), once every shard answers, the {@link KvBench} load through the
 * sharded client. The local conf has no key ranges (the lab's first byte mod n-shards would put every
 * "key-..." of {@link KvWorkload} in one shard), so the bench cuts the workload's keys into n-shards
 * equal ordered ranges ({@link #boundaries}); ops per shard and per group are counted to show it.
 */
public final class ShardKvBench {
  private static final Logger LOG = LoggerFactory.getLogger(ShardKvBench.class);
  /** How long the cluster may take to start, resize and serve every shard (a loaded 2-core machine). */
  private static final Duration READY = Duration.ofSeconds(180);

  private ShardKvBench() {}

  /**
   * What one run measured: the KV result, the groups and shards, and how many operations each
   * shard and group answered with a result (warm-up included: all the load it served).
   */
  public record Result(KvBench.Result kv, int groups, int shards, SortedMap<Integer, Long> opsPerShard,
      SortedMap<Integer, Long> opsPerGroup, SortedMap<String, JournalLoad> journals,
      Optional<ShardMoveBench.Result> migration) {

    /**
     * The JSON line of {@code bench kv} plus groups, shards, ops_per_shard, ops_per_group, journal
     * and, with {@code --migrate}, migration.
     */
    public String toJson() {
      Map<String, Object> m = kv.fields();
      m.put("groups", groups);
      m.put("shards", shards);
      m.put("ops_per_shard", opsPerShard);
      m.put("ops_per_group", opsPerGroup);
      Map<String, Object> j = new TreeMap<>();
      journals.forEach((node, l) -> j.put(node, l.fields()));
      m.put("journal", j);
      migration.ifPresent(x -> m.put("migration", x.fields()));
      return KvBench.json(m);
    }
  }

  /**
   * What one node's group-commit journal did during the load (warm-up included): atomic writes
   * (persist calls of all its replicas), LevelDB writes (each one fsync) and the time spent in them.
   */
  public record JournalLoad(long writes, long fsyncs, long fsyncNanos) {
    static JournalLoad between(JournalCounters.Snapshot before, JournalCounters.Snapshot after) {
      return new JournalLoad(after.writes() - before.writes(), after.fsyncs() - before.fsyncs(),
          after.fsyncNanos() - before.fsyncNanos());
    }

    public double writesPerFsync() {
      return fsyncs == 0 ? 0 : (double) writes / fsyncs;
    }

    Map<String, Object> fields() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("writes", writes);
      m.put("fsyncs", fsyncs);
      m.put("writes_per_fsync", Math.round(writesPerFsync() * 100) / 100.0);
      m.put("fsync_s", Math.round(fsyncNanos / 1e7) / 100.0); // time the writer spent writing: how busy it was
      return m;
    }
  }

  private static Map<String, JournalCounters.Snapshot> journalCounters(List<ShardedNode> nodes) {
    Map<String, JournalCounters.Snapshot> m = new TreeMap<>();
    for (ShardedNode n : nodes)
      m.put(n.spec().self(), GroupCommitJournals.get(n.system()).counters(ShardedNode.JOURNAL_PLUGIN).snapshot());
    return m;
  }

  /** n - 1 boundaries that cut the workload's keys key(0) .. key(KEYS - 1) into n equal ranges. */
  static List<String> boundaries(int nShards) {
    List<String> b = new ArrayList<>();
    for (int i = 1; i < nShards; i++) b.add(KvWorkload.key((int) ((long) i * KvWorkload.KEYS / nShards)));
    return b;
  }

  public static Result embedded(Path data, int groups, KvBench.Load load) throws Exception {
    return embedded(data, groups, load, OptionalLong.empty());
  }

  /**
   * As above and then, with {@code migratePreloadBytes}, on the same cluster, the migration phase
   * ({@link ShardMoveBench}: a shard pre-loaded with that many bytes moves to another group under load).
   */
  public static Result embedded(Path data, int groups, KvBench.Load load, OptionalLong migratePreloadBytes)
      throws Exception {
    if (migratePreloadBytes.isPresent() && groups < 2)
      throw new IllegalArgumentException("--migrate needs 2 groups at least, not " + groups);
    if (migratePreloadBytes.isPresent() && migratePreloadBytes.getAsLong() < 0)
      throw new IllegalArgumentException("--migrate-mb must be >= 0, not " + migratePreloadBytes.getAsLong() + " bytes");
    ResultFile.emptyDir(data);
    Config config = benchConfig(NodeSettings.shardedLocal(null));
    ShardedSpec spec = NodeSettings.shardedSpec(config);
    int nShards = NodeSettings.shardCtrlSettings(config).nShards();
    if (groups < 1 || groups > nShards)
      throw new IllegalArgumentException("groups must be 1.." + nShards + " (one shard at least each), not " + groups);
    List<ShardedNode> nodes = ShardedNode.startAll(spec, data, config);
    try {
      CompletableFuture.allOf(nodes.stream().map(ShardedNode::bootstrapped).toArray(CompletableFuture[]::new))
          .get(READY.toSeconds(), TimeUnit.SECONDS);
      ShardedNode first = nodes.get(0);
      ShardAdmin admin = first.admin();
      ShardConfig layout = resize(admin, spec, groups);
      ShardMapping mapping = first.mapping();
      try (KvClient sharded = first.client()) {
        awaitEveryShard(sharded, mapping);
        Counting counting = new Counting(sharded, mapping);
        Map<String, JournalCounters.Snapshot> journalsBefore = journalCounters(nodes);
        KvBench.Result kv = KvBench.run("embedded-sharded", counting, load);
        Map<String, JournalCounters.Snapshot> journalsAfter = journalCounters(nodes);
        SortedMap<String, JournalLoad> journals = new TreeMap<>();
        journalsBefore.forEach((node, b) -> journals.put(node, JournalLoad.between(b, journalsAfter.get(node))));
        ShardConfig after = config(admin.shards(), "query");
        if (after.num() != layout.num())
          throw new IllegalStateException("the configuration changed during the run: " + layout + " -> " + after);
        SortedMap<Integer, Long> perShard = new TreeMap<>();
        SortedMap<Integer, Long> perGroup = new TreeMap<>();
        for (int s = 0; s < nShards; s++) {
          long n = counting.served.get(s);
          perShard.put(s, n);
          perGroup.merge(layout.gidOf(s), n, Long::sum);
        }
        Optional<ShardMoveBench.Result> migration = Optional.empty();
        if (migratePreloadBytes.isPresent())
          migration = Optional.of(ShardMoveBench.run(admin, sharded, mapping, layout, load,
              migratePreloadBytes.getAsLong(), () -> journalCounters(nodes)));
        return new Result(kv, layout.groups().size(), nShards, perShard, perGroup, journals, migration);
      }
    } finally {
      for (ShardedNode n : nodes) n.close();
    }
  }

  /** Free loopback ports for the nodes (no clash with a running local --sharded) and the bench's key ranges. */
  static Config benchConfig(Config local) throws IOException {
    ShardedSpec spec = NodeSettings.shardedSpec(local);
    int nShards = NodeSettings.shardCtrlSettings(local).nShards();
    StringBuilder hocon = new StringBuilder("raftkv.sharded.nodes {\n");
    for (String n : spec.nodes().keySet()) hocon.append("  ").append(n).append(" = \"127.0.0.1:").append(freePort()).append("\"\n");
    hocon.append("}\nraftkv.sharded.key-ranges = [");
    List<String> b = boundaries(nShards);
    for (int i = 0; i < b.size(); i++) hocon.append(i == 0 ? "" : ", ").append('"').append(b.get(i)).append('"');
    hocon.append("]\n");
    return ConfigFactory.parseString(hocon.toString()).withFallback(local).resolve();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * From the initial groups to {@code groups}: new gids (after the highest initial one) join with a
   * replica on every node, or the last initial groups leave (their shards pulled away first).
   */
  static ShardConfig resize(ShardAdmin admin, ShardedSpec spec, int groups) throws Exception {
    List<Integer> initial = new ArrayList<>(spec.groups().keySet());
    initial.sort(null);
    ShardConfig c = config(admin.shards(), "query");
    int next = initial.get(initial.size() - 1) + 1;
    for (int have = c.groups().size(); have < groups; have++, next++) {
      c = config(admin.joinGroup(next, new ArrayList<>(spec.nodes().keySet())), "join " + next);
      LOG.info("bench shardkv: group {} joined: {}", next, c);
    }
    while (c.groups().size() > groups) {
      int gid = c.groups().lastKey();
      c = config(admin.leaveGroup(gid), "leave " + gid);
      LOG.info("bench shardkv: group {} left: {}", gid, c);
    }
    return c;
  }

  private static ShardConfig config(CompletionStage<CtrlReply> reply, String what) throws Exception {
    CtrlReply r = reply.toCompletableFuture().get(READY.toSeconds(), TimeUnit.SECONDS);
    if (r instanceof CtrlReply.Config c) return c.config();
    throw new IllegalStateException("bench shardkv: " + what + " answered " + r);
  }

  /**
   * Until a Get of one workload key of every shard answers a result (its owner has installed it);
   * refuses a mapping under which some shard holds none of the workload's keys.
   */
  static void awaitEveryShard(KvClient client, ShardMapping mapping) throws Exception {
    long deadline = System.nanoTime() + READY.toNanos();
    for (int s = 0; s < mapping.nShards(); s++) {
      String key = null;
      for (int i = 0; i < KvWorkload.KEYS && key == null; i++) if (mapping.shardOf(KvWorkload.key(i)) == s) key = KvWorkload.key(i);
      if (key == null) throw new IllegalStateException("shard " + s + " holds none of the workload's keys under " + mapping);
      KvReply r = client.get(key).toCompletableFuture().get(READY.toSeconds(), TimeUnit.SECONDS);
      while (!r.isResult()) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("shard " + s + " not served after " + READY + ": " + r);
        LOG.info("bench shardkv: shard {} not served yet ({})", s, r);
        r = client.get(key).toCompletableFuture().get(READY.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  /** The sharded client, counting per shard the operations answered with a result. */
  private static final class Counting implements KvClient {
    final KvClient client;
    final ShardMapping mapping;
    final AtomicLongArray served;

    Counting(KvClient client, ShardMapping mapping) {
      this.client = client;
      this.mapping = mapping;
      this.served = new AtomicLongArray(mapping.nShards());
    }

    @Override
    public CompletionStage<KvReply> execute(KvCommand command) {
      int shard = mapping.shardOf(command.key());
      return client.execute(command).thenApply(r -> {
        if (r.isResult()) served.incrementAndGet(shard);
        return r;
      });
    }

    @Override
    public CompletionStage<List<RaftStatus>> status() {
      return client.status();
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
