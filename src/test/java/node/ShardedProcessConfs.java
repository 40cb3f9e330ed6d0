package node;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    String addresses = addresses(peers);
    for (int i = 0; i < peers.size(); i++) nodes.configure(peers.get(i), ownConf.apply(i) + "\n" + addresses + extra + own(peers.get(i), dir));
  }

  /**
   * {@code initial} from conf/sharded-node-1..N.conf, none of which names {@code joiner}; {@code
   * joiner} from conf/sharded-node-4.conf (its {@code nodes} only itself, the initial nodes its seed nodes).
   */
  static void configureJoining(NodeProcesses nodes, List<PeerId> initial, PeerId joiner, Path dir, String extra)
      throws IOException {
    StringBuilder seeds = new StringBuilder();
    Map<PeerId, String> at = new LinkedHashMap<>();
    for (PeerId p : initial) at.put(p, "127.0.0.1:" + freePort());
    for (String hp : at.values()) seeds.append(seeds.length() == 0 ? "" : ", ").append('"').append(hp).append('"');
    for (int i = 0; i < initial.size(); i++)
      nodes.configure(initial.get(i), confFile(i) + "\n" + addresses(at) + extra + own(initial.get(i), dir));
    nodes.configure(joiner, confFile(3) + "\n" + addresses(Map.of(joiner, "127.0.0.1:" + freePort()))
        + "raftkv.sharded.seed-nodes = [" + seeds + "]\n" + extra + own(joiner, dir));
  }

  private static String addresses(List<PeerId> peers) throws IOException {
    Map<PeerId, String> at = new LinkedHashMap<>();
    for (PeerId p : peers) at.put(p, "127.0.0.1:" + freePort());
    return addresses(at);
  }

  private static String addresses(Map<PeerId, String> at) {
    StringBuilder addresses = new StringBuilder("raftkv.sharded.nodes {\n");
    at.forEach((p, hp) -> addresses.append("  ").append(p).append(" = \"").append(hp).append("\"\n"));
    return addresses.append("}\n").toString();
  }

  /** A node's own data directory, HTTP port (fixed: a restarted node serves where it did), fsync off. */
  private static String own(PeerId p, Path dir) throws IOException {
    return "raftkv.sharded.data-dir = \"" + dir.resolve("data-" + p).toAbsolutePath() + "\"\n"
        + "raftkv.node.http.port = " + freePort() + "\n"
        + "raftkv.sharded.fsync = off\n";
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
