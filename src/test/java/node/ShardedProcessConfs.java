package node;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import raft.PeerId;
import testkit.nodes.NodeProcesses;

/**
 * The config files of sharded node processes in tests: each node's own file (a conf file the
 * user runs) with free ports for every node's Artery and HTTP, its own data directory, fsync off
 * and {@code extra} (e.g. key ranges).
 */
final class ShardedProcessConfs {
  private ShardedProcessConfs() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** @param ownConf node i's own file (0-based), as text */
  static void configure(NodeProcesses nodes, List<PeerId> peers, Path dir, String extra, IntFunction<String> ownConf)
      throws IOException {
    StringBuilder addresses = new StringBuilder("raftkv.sharded.nodes {\n");
    for (PeerId p : peers) addresses.append("  ").append(p).append(" = \"127.0.0.1:").append(freePort()).append("\"\n");
    addresses.append("}\n");
    for (int i = 0; i < peers.size(); i++) {
      PeerId p = peers.get(i);
      nodes.configure(p, ownConf.apply(i) + "\n" + addresses + extra
          + "raftkv.sharded.data-dir = \"" + dir.resolve("data-" + p).toAbsolutePath() + "\"\n"
          + "raftkv.node.http.port = " + freePort() + "\n" // fixed: a restarted node serves where it did
          + "raftkv.sharded.fsync = off\n");
    }
  }

  /** conf/sharded-node-{i+1}.conf as text. */
  static String confFile(int i) {
    try {
      return Files.readString(Path.of("conf", "sharded-node-" + (i + 1) + ".conf"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
