package kvraft;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import raft.GroupId;
import raft.PeerId;

/**
 * Real {@code bin/raftkv node} processes (cli.Main in child JVMs) of one group on free local
 * ports, each with its own data directory and log file under {@code dir}. Closing kills them all.
 */
final class NodeProcesses implements AutoCloseable {
  final GroupId group;
  final Path dir;
  final Map<PeerId, String> addresses = new LinkedHashMap<>();
  private final Map<PeerId, Process> processes = new ConcurrentHashMap<>();
  private final Map<PeerId, Path> logs = new ConcurrentHashMap<>();
  private final String maxHeap;
  private final String extraConfig;

  /**
   * @param maxHeap the child JVMs' -Xmx
   * @param extraConfig HOCON appended to every node's config file
   */
  NodeProcesses(GroupId group, List<PeerId> peers, Path dir, String maxHeap, String extraConfig) throws IOException {
    this.group = group;
    this.dir = dir;
    this.maxHeap = maxHeap;
    this.extraConfig = extraConfig;
    Files.createDirectories(dir);
    for (PeerId p : peers) addresses.put(p, "127.0.0.1:" + freePort());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    return cp;
  }

  private Path confFile(PeerId p) throws IOException {
    StringBuilder peers = new StringBuilder();
    addresses.forEach((id, hostPort) -> peers.append("    ").append(id).append(" = \"").append(hostPort).append("\"\n"));
    Path conf = dir.resolve(p.id() + ".conf");
    Files.writeString(conf, "raftkv.node {\n  id = " + p + "\n  group = " + group + "\n  data-dir = \""
        + dir.resolve("data-" + p).toAbsolutePath() + "\"\n  http.port = 0\n  peers {\n" + peers + "  }\n}\n"
        + extraConfig + "\n");
    return conf;
  }

  /** Starts the node process of {@code p} and waits for the banner it prints once its replica runs. */
  void start(PeerId p) throws Exception {
    launch(p);
    awaitBanner(p);
  }

  /** Starts the node processes together (JVM start-up dominates), then waits for each banner. */
  void startAll(List<PeerId> peers) throws Exception {
    for (PeerId p : peers) launch(p);
    for (PeerId p : peers) awaitBanner(p);
  }

  private void launch(PeerId p) throws IOException {
    Path log = dir.resolve(p.id() + "-" + System.nanoTime() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process proc = new ProcessBuilder(java,
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx" + maxHeap, "-XX:+UseSerialGC",
        // The product's logging (INFO), not the tests' (the test classpath's logback-test.xml says WARN).
        "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath(),
        "-cp", classpath(), "cli.Main", "node", "--config", confFile(p).toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.put(p, proc);
    logs.put(p, log);
  }

  private void awaitBanner(PeerId p) throws Exception {
    Process proc = processes.get(p);
    Path log = logs.get(p);
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.readString(log).contains("raftkv node " + p)) return;
      if (!proc.isAlive()) break;
      Thread.sleep(100);
    }
    throw new AssertionError(p + " did not start; see " + log);
  }

  /** SIGKILL: no shutdown hook, no journal close. */
  void kill(PeerId p) throws InterruptedException {
    Process proc = processes.remove(p);
    proc.destroyForcibly();
    proc.waitFor(30, TimeUnit.SECONDS);
  }

  /** Deletes the data directory of {@code p} (its process must be down): it restarts as an empty replica. */
  void wipe(PeerId p) throws IOException {
    Path data = dir.resolve("data-" + p);
    if (!Files.exists(data)) return;
    try (var paths = Files.walk(data)) {
      for (Path f : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }

  /** The log of the current (or last) process of {@code p}. */
  String log(PeerId p) throws IOException {
    return Files.readString(logs.get(p));
  }

  Path logFile(PeerId p) {
    return logs.get(p);
  }

  @Override
  public void close() throws InterruptedException { // NOPMD: the processes are killed, not interrupted
    for (PeerId p : List.copyOf(processes.keySet())) kill(p);
  }
}
