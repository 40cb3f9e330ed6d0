package node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kvraft.AkkaKvClient;
import kvraft.KvLimits;
import kvraft.KvSettings;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.peer.PeerSettings;
import raft.rsm.GroupClient;
import shardctrl.ShardCtrlSettings;

/**
 * The one place that reads HOCON ({@code raftkv.*}, documented in reference.conf) and turns it
 * into the validated records the libraries take. A bad value fails here, at start, naming the key.
 */
public final class NodeSettings {
  private NodeSettings() {}

  /** The HOCON in {@code file} over application.conf and reference.conf; defaults only if file is null. */
  public static Config load(File file) {
    if (file == null) return ConfigFactory.load();
    if (!file.isFile()) throw new IllegalArgumentException("config file " + file.getAbsolutePath() + " not found");
    return ConfigFactory.parseFile(file).withFallback(ConfigFactory.load()).resolve();
  }

  /**
   * The HOCON in {@code file} over the classpath resource {@code layer} (settings of one kind of
   * process, e.g. kvnode.conf) over application.conf and reference.conf.
   */
  public static Config load(File file, String layer) {
    Config base = ConfigFactory.parseResources(layer).withFallback(ConfigFactory.load());
    if (file == null) return base.resolve();
    if (!file.isFile()) throw new IllegalArgumentException("config file " + file.getAbsolutePath() + " not found");
    return ConfigFactory.parseFile(file).withFallback(base).resolve();
  }

  /**
   * The config of {@code local --sharded}: {@code file} (null: none) over sharded-local.conf (three
   * nodes on loopback) over the sharded node's layer over application.conf and reference.conf.
   */
  public static Config shardedLocal(File file) {
    Config layered = ConfigFactory.parseResources("sharded-local.conf")
        .withFallback(ConfigFactory.parseResources(ShardedNode.NODE_LAYER)).withFallback(ConfigFactory.load());
    if (file == null) return layered.resolve();
    if (!file.isFile()) throw new IllegalArgumentException("config file " + file.getAbsolutePath() + " not found");
    return ConfigFactory.parseFile(file).withFallback(layered).resolve();
  }

  /** True if the HOCON in {@code file} configures a sharded node ({@code raftkv.sharded.self} set). */
  public static boolean isSharded(File file) {
    if (!file.isFile()) throw new IllegalArgumentException("config file " + file.getAbsolutePath() + " not found");
    Config own = ConfigFactory.parseFile(file);
    return own.hasPath("raftkv.sharded.self") && !own.getString("raftkv.sharded.self").isEmpty();
  }

  public static RaftConfig raftConfig(Config config) {
    Config raft = config.getConfig("raftkv.raft");
    try {
      return new RaftConfig(
          raft.getInt("election-ticks"),
          raft.getInt("heartbeat-ticks"),
          raft.getBytes("max-bytes-per-append"),
          raft.getInt("max-inflight-appends"),
          Math.toIntExact(raft.getBytes("max-command-bytes")),
          raft.getBoolean("pre-vote"),
          raft.getBoolean("check-quorum"),
          raft.getBoolean("noop-on-election"),
          raft.getInt("learner-catch-up-entries"),
          RaftConfig.UnsafeRule.NONE,
          readLease(raft),
          raft.getInt("quiesce-ticks"))
          .validate();
    } catch (RaftConfig.ReadLeaseRefused e) {
      throw new RaftConfig.ReadLeaseRefused("invalid raftkv.raft.read-lease settings: " + e.getMessage());
    } catch (IllegalArgumentException | ConfigException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid raftkv.raft settings: " + e.getMessage(), e);
    }
  }

  /** {@code read-lease}: off, or on with {@code max-clock-drift} (NaN when the key is absent: refused by validate). */
  private static RaftConfig.ReadLease readLease(Config raft) {
    if (!raft.getBoolean("read-lease.enabled")) return RaftConfig.ReadLease.OFF;
    String drift = "read-lease.max-clock-drift";
    return new RaftConfig.ReadLease(true, raft.hasPath(drift) ? raft.getDouble(drift) : Double.NaN);
  }

  /** Room a snapshot chunk's message needs beyond its data (ids, meta, checksums, CBOR framing). */
  static final long CHUNK_OVERHEAD_BYTES = 64 * 1024;

  public static PeerSettings peerSettings(Config config) {
    Config raft = config.getConfig("raftkv.raft");
    try {
      int chunkBytes = Math.toIntExact(raft.getBytes("snapshot-chunk-size"));
      String frame = "akka.remote.artery.advanced.maximum-frame-size";
      if (config.hasPath(frame) && chunkBytes + CHUNK_OVERHEAD_BYTES > config.getBytes(frame))
        throw new IllegalArgumentException("snapshot-chunk-size (" + chunkBytes + " bytes) plus " + CHUNK_OVERHEAD_BYTES
            + " bytes of message must fit in " + frame + " (" + config.getBytes(frame) + " bytes)");
      return new PeerSettings(
          raft.getDuration("tick-interval"),
          raft.getInt("max-pending-proposals"),
          raft.getInt("snapshot-every-events"),
          raft.getLong("seed"),
          "",
          "",
          chunkBytes,
          raft.getInt("snapshot-chunks-in-flight"),
          raft.getDuration("snapshot-chunk-timeout"))
          .validate();
    } catch (IllegalArgumentException | ConfigException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid raftkv.raft settings: " + e.getMessage(), e);
    }
  }

  public static KvSettings kvSettings(Config config) {
    Config kv = config.getConfig("raftkv.kv");
    try {
      return new KvSettings(kv.getBytes("max-raft-state"),
          new KvLimits(Math.toIntExact(kv.getBytes("max-key-bytes")), Math.toIntExact(kv.getBytes("max-value-bytes")),
              kv.getInt("max-scan-limit")), kv.getInt("max-client-sessions"), kv.getInt("max-waiting-calls"))
          .validate();
    } catch (IllegalArgumentException | ConfigException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid raftkv.kv settings: " + e.getMessage(), e);
    }
  }

  public static AkkaKvClient.Settings clientSettings(Config config) {
    Config client = config.getConfig("raftkv.kv.client");
    try {
      return new AkkaKvClient.Settings(client.getDuration("attempt-timeout"), client.getDuration("deadline")).validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.kv.client settings: " + e.getMessage(), e);
    }
  }

  /**
   * {@code raftkv.node.leadership-handover.timeout}, or empty if {@code enabled} is off: how long a
   * stopping node waits per group for its leadership to move.
   */
  public static java.util.Optional<java.time.Duration> leadershipHandoverTimeout(Config config) {
    Config h = config.getConfig("raftkv.node.leadership-handover");
    try {
      if (!h.getBoolean("enabled")) return java.util.Optional.empty();
      java.time.Duration timeout = h.getDuration("timeout");
      if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0: " + timeout);
      return java.util.Optional.of(timeout);
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.node.leadership-handover settings: " + e.getMessage(), e);
    }
  }

  /** {@code raftkv.shardctrl}: the shard controller's replicas. */
  public static ShardCtrlSettings shardCtrlSettings(Config config) {
    Config ctrl = config.getConfig("raftkv.shardctrl");
    try {
      return new ShardCtrlSettings(ctrl.getInt("n-shards"), ctrl.getBytes("max-raft-state"),
          ctrl.getDuration("max-watch")).validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.shardctrl settings: " + e.getMessage(), e);
    }
  }

  /** {@code raftkv.shardctrl.client}: the shard controller's clients. */
  public static GroupClient.Settings shardCtrlClientSettings(Config config) {
    Config client = config.getConfig("raftkv.shardctrl.client");
    try {
      return new GroupClient.Settings(client.getDuration("attempt-timeout"), client.getDuration("deadline")).validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.shardctrl.client settings: " + e.getMessage(), e);
    }
  }

  /** {@code raftkv.node}: which group, which replica, where its data and its peers are. */
  public static NodeSpec nodeSpec(Config config) {
    Config node = config.getConfig("raftkv.node");
    try {
      Map<PeerId, String> peers = new LinkedHashMap<>();
      List<String> ids = new ArrayList<>(node.getConfig("peers").root().keySet());
      ids.sort(null);
      for (String id : ids) peers.put(PeerId.of(id), node.getConfig("peers").getString(id));
      String self = node.getString("id");
      List<PeerId> initialVoters = node.getStringList("initial-voters").stream().map(PeerId::of).toList();
      return new NodeSpec(GroupId.of(node.getString("group")), self.isEmpty() ? null : PeerId.of(self), peers,
          Path.of(node.getString("data-dir")), node.getBoolean("fsync"), initialVoters, node.getBoolean("join"))
          .validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.node settings: " + e.getMessage(), e);
    }
  }

  /** {@code raftkv.sharded.admin-timeout}: how long an admin join or leave may take. */
  public static Duration shardAdminTimeout(Config config) {
    Duration t = config.getDuration("raftkv.sharded.admin-timeout");
    if (t.isNegative() || t.isZero()) throw new IllegalArgumentException("admin-timeout must be > 0: " + t);
    return t;
  }

  /**
   * {@code raftkv.sharded.rejoin-seed-timeout}: how long the first node of {@code nodes}, restarted,
   * waits for a running node to answer its join before it forms a new cluster (Akka's
   * seed-node-timeout for that node only).
   */
  public static Duration rejoinSeedTimeout(Config config) {
    Duration t = config.getDuration("raftkv.sharded.rejoin-seed-timeout");
    if (t.isNegative() || t.isZero()) throw new IllegalArgumentException("raftkv.sharded.rejoin-seed-timeout must be > 0: " + t);
    return t;
  }

  /**
   * {@code raftkv.sharded.pull-chunk-bytes}: about how many bytes of a shard one pulled chunk (one
   * log entry of the new owner) carries; between 1 byte (one key per chunk) and 1 MiB (a chunk must
   * fit one command and one Artery frame).
   */
  public static int shardPullChunkBytes(Config config) {
    long b = config.getBytes("raftkv.sharded.pull-chunk-bytes");
    if (b < 1 || b > 1024 * 1024)
      throw new IllegalArgumentException("raftkv.sharded.pull-chunk-bytes must be 1 B .. 1 MiB, was " + b + " bytes");
    return (int) b;
  }

  /**
   * {@code raftkv.sharded}: the nodes of a sharded cluster, this node, the controller's and the
   * initial groups' placement (lists of node names), data directory.
   */
  public static ShardedSpec shardedSpec(Config config) {
    Config sh = config.getConfig("raftkv.sharded");
    try {
      java.util.SortedMap<String, String> nodes = new java.util.TreeMap<>();
      for (String n : sh.getConfig("nodes").root().keySet()) nodes.put(n, sh.getConfig("nodes").getString(n));
      java.util.SortedMap<Integer, List<String>> groups = new java.util.TreeMap<>();
      for (String g : sh.getConfig("groups").root().keySet()) {
        int gid;
        try {
          gid = Integer.parseInt(g);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("groups: '" + g + "' is not a gid (a positive integer)");
        }
        groups.put(gid, sh.getConfig("groups").getStringList("\"" + g + "\""));
      }
      String state = sh.getString("initial-cluster-state");
      if (!state.equals("new") && !state.equals("existing"))
        throw new IllegalArgumentException("initial-cluster-state must be new or existing, was '" + state + "'");
      shardAdminTimeout(config);
      return new ShardedSpec(sh.getString("self"), nodes, sh.getStringList("controller"), groups,
          Path.of(sh.getString("data-dir")), sh.getBoolean("fsync"), state.equals("new"), sh.getStringList("key-ranges"),
          sh.getStringList("seed-nodes")).validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.sharded settings: " + e.getMessage(), e);
    }
  }
}
