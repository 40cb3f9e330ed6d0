package testkit.nodes;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import raft.GroupId;
import raft.PeerId;

/**
 * {@code bin/raftkv node} processes on loopback for process tests: one child JVM per replica
 * ({@code cli.Main node}) at free ports, each with its own data directory and log file under
 * {@code dir}, its HTTP API on a free port read from its banner. Close it to kill every process it
 * started.
 */
public final class NodeProcesses implements AutoCloseable {
  private static final Pattern HTTP = Pattern.compile("http:\\s+(http://[0-9.]+:[0-9]+)");
  /** Small, fast-starting JVMs with the tests' logging (WARN). */
  public static final List<String> SMALL_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** {@code java <opens and stack> <SMALL_JVM> <rest>}: the command line of a small child JVM. */
  public static List<String> smallJvm(String java, String... rest) {
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(bench.JvmLauncher.OPENS);
    cmd.addAll(SMALL_JVM);
    cmd.addAll(List.of(rest));
    return cmd;
  }

  private final GroupId group;
  private final Path dir;
  private final Map<PeerId, String> addresses = new LinkedHashMap<>();
  private final Map<PeerId, Process> processes = new ConcurrentHashMap<>();
  private final Map<PeerId, Path> logs = new ConcurrentHashMap<>();
  private final Map<PeerId, String> peerConfig = new ConcurrentHashMap<>();
  private final List<String> jvmOptions;
  private final String extraConfig;

  /** @param extraConfig HOCON appended to every node's config file (e.g. client timeouts) */
  public NodeProcesses(GroupId group, List<PeerId> peers, Path dir, String extraConfig) throws IOException {
    this(group, peers, dir, SMALL_JVM, extraConfig);
  }

  /**
   * @param jvmOptions options of every child JVM (heap, collector, logging), before {@code -cp}
   * @param extraConfig HOCON appended to every node's config file
   */
  public NodeProcesses(GroupId group, List<PeerId> peers, Path dir, List<String> jvmOptions, String extraConfig)
      throws IOException {
    this.group = group;
    this.dir = dir;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.extraConfig = extraConfig;
    Files.createDirectories(dir);
    for (PeerId p : peers) addresses.put(p, "127.0.0.1:" + freePort());
  }

  /** JVM options for a node with the product's logging (INFO) instead of the tests' logback-test.xml. */
  public static List<String> productLogging(String maxHeap) {
    return List.of("-Xmx" + maxHeap, "-XX:+UseSerialGC",
        "-Dlogback.configurationFile=" + Path.of("target", "classes", "logback.xml").toAbsolutePath());
  }

  /** Each replica's Artery address (host:port). */
  public Map<PeerId, String> addresses() {
    return addresses;
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    return cp;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path dataDir(PeerId p) {
    return dir.resolve("data-" + p);
  }

  /** Adds HOCON for {@code p} alone, after the common extra config (e.g. {@code raftkv.node.join = true}). */
  public NodeProcesses configure(PeerId p, String hocon) {
    peerConfig.put(p, hocon);
    return this;
  }

  /** Writes the config file of {@code p} (as its next launch will use it) and returns its path. */
  public Path confFile(PeerId p) throws IOException {
    StringBuilder peers = new StringBuilder();
    addresses.forEach((id, hostPort) -> peers.append("    ").append(id).append(" = \"").append(hostPort).append("\"\n"));
    Path conf = dir.resolve(p.id() + ".conf");
    Files.writeString(conf, "raftkv.node {\n  id = " + p + "\n  group = " + group + "\n  data-dir = \""
        + dataDir(p).toAbsolutePath() + "\"\n  http.port = 0\n  peers {\n" + peers + "  }\n}\n"
        + extraConfig + "\n" + peerConfig.getOrDefault(p, "") + "\n");
    return conf;
  }

  /** Starts the node for {@code p} (as cli.Main in a child JVM) without waiting; returns its log file. */
  public Path launch(PeerId p) throws Exception {
    Path log = dir.resolve(p.id() + "-" + System.nanoTime() + ".log");
    List<String> command = new ArrayList<>(List.of(bench.JvmLauncher.javaBinary()));
    command.addAll(bench.JvmLauncher.OPENS);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath(), "cli.Main", "node", "--config", confFile(p).toString()));
    Process proc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.put(p, proc);
    logs.put(p, log);
    return log;
  }

  /** What a {@code bin/raftkv} command run by {@link #cli} printed (stdout and stderr) and returned. */
  public record CliRun(List<String> args, int exitCode, String output) {}

  /**
   * Runs {@code bin/raftkv args...} to its end: {@code cli.Main} in a child JVM with this JVM's
   * classpath (bin/raftkv runs the same main from the packaged jar, which a test does not build).
   */
  public CliRun cli(List<String> args) throws Exception {
    Path out = dir.resolve("cli-" + System.nanoTime() + ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(SMALL_JVM);
    command.addAll(List.of("-cp", classpath(), "cli.Main"));
    command.addAll(args);
    Process proc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!proc.waitFor(120, TimeUnit.SECONDS)) {
      proc.destroyForcibly();
      throw new AssertionError("bin/raftkv " + String.join(" ", args) + " did not exit within 120 s; see " + out);
    }
    return new CliRun(args, proc.exitValue(), Files.readString(out));
  }

  /** Waits for the banner the node prints once its replica runs and its HTTP API listens; returns the HTTP base URL. */
  public String awaitHttp(PeerId p) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000; // a JVM start on a loaded machine is slow
    while (System.currentTimeMillis() < deadline) {
      Matcher m = HTTP.matcher(Files.readString(logs.get(p)));
      if (m.find()) return m.group(1);
      if (!processes.get(p).isAlive()) break;
      Thread.sleep(100);
    }
    throw new AssertionError(p + " did not start; see " + logs.get(p));
  }

  /** Starts the node for {@code p} and waits until it serves; returns its HTTP base URL. */
  public String start(PeerId p) throws Exception {
    launch(p);
    return awaitHttp(p);
  }

  /** Starts the nodes together (JVM start-up dominates), then waits for each. */
  public void startAll(List<PeerId> peers) throws Exception {
    for (PeerId p : peers) launch(p);
    for (PeerId p : peers) awaitHttp(p);
  }

  /** One election timeout of {@code p}'s node: election-ticks × tick-interval of the config it runs with. */
  public java.time.Duration electionTimeout(PeerId p) throws IOException {
    com.typesafe.config.Config cfg = node.NodeSettings.load(confFile(p).toFile(), node.KvNode.NODE_LAYER);
    return node.NodeSettings.peerSettings(cfg).tickInterval().multipliedBy(node.NodeSettings.raftConfig(cfg).electionTicks());
  }

  /** SIGTERM (a graceful shutdown), then waits up to 60 s for the process to exit; returns its exit code. */
  public int terminate(PeerId p) throws InterruptedException {
    Process proc = processes.remove(p);
    if (proc == null) throw new IllegalStateException(p + " is not running");
    proc.destroy();
    if (!proc.waitFor(60, TimeUnit.SECONDS)) {
      proc.destroyForcibly();
      throw new AssertionError(p + " did not exit within 60 s after SIGTERM; see " + logs.get(p));
    }
    return proc.exitValue();
  }

  /** SIGSTOP ({@code pause} true) or SIGCONT: the process freezes (its ports still accept connections) or goes on. */
  public void pause(PeerId p, boolean pause) throws Exception {
    Process proc = processes.get(p);
    if (proc == null) throw new IllegalStateException(p + " is not running");
    Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(proc.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill failed for " + p);
  }

  /** SIGKILL: no shutdown, no journal close. */
  public void kill(PeerId p) throws InterruptedException {
    Process proc = processes.remove(p);
    if (proc == null) return;
    proc.destroyForcibly();
    proc.waitFor(30, TimeUnit.SECONDS);
  }

  /** Deletes the data directory of {@code p} (its process must be down): it restarts as an empty replica. */
  public void wipe(PeerId p) throws IOException {
    Path data = dataDir(p);
    if (!Files.exists(data)) return;
    try (var paths = Files.walk(data)) {
      for (Path f : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }

  /** The log file of the current (or last) process of {@code p}. */
  public Path log(PeerId p) {
    return logs.get(p);
  }

  /** What the current (or last) process of {@code p} has logged so far. */
  public String logText(PeerId p) throws IOException {
    return Files.readString(logs.get(p));
  }

  @Override
  public void close() throws InterruptedException {
    for (PeerId p : List.copyOf(processes.keySet())) kill(p);
  }
}
