package node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import raft.RaftConfig;
import raft.peer.PeerSettings;

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

  public static RaftConfig raftConfig(Config config) {
    Config raft = config.getConfig("raftkv.raft");
    try {
      return new RaftConfig(
          raft.getInt("election-ticks"),
          raft.getInt("heartbeat-ticks"),
          raft.getBytes("max-bytes-per-append"),
          raft.getInt("max-inflight-appends"),
          Math.toIntExact(raft.getBytes("max-command-bytes")))
          .validate();
    } catch (IllegalArgumentException | ConfigException | ArithmeticException e) {
      throw new IllegalArgumentException("invalid raftkv.raft settings: " + e.getMessage(), e);
    }
  }

  public static PeerSettings peerSettings(Config config) {
    Config raft = config.getConfig("raftkv.raft");
    try {
      return new PeerSettings(
          raft.getDuration("tick-interval"),
          raft.getInt("max-pending-proposals"),
          raft.getInt("snapshot-every-events"),
          raft.getLong("seed"),
          "",
          "")
          .validate();
    } catch (IllegalArgumentException | ConfigException e) {
      throw new IllegalArgumentException("invalid raftkv.raft settings: " + e.getMessage(), e);
    }
  }
}
