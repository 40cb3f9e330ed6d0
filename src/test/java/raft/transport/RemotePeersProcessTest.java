package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three peers in three JVMs on loopback (Artery TCP, LevelDB journals): kill -9 the leader's
 * process, a new leader commits, the killed peer restarts from its journal and catches up.
 */
class RemotePeersProcessTest {
  private static final long WAIT_MS = 60_000;

  /** One child JVM running {@link PeerProcess}, driven through its stdin/stdout lines. */
  private static final class Child {
    final String id;
    final Process process;
    final Writer stdin;
    final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());

    Child(String id, List<String> command, Path log) throws IOException {
      this.id = id;
      this.process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(this::readLines, "stdout-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    private void readLines() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.startsWith("@@applied ")) applied.add(line.substring(line.indexOf(' ', 10) + 1));
          else if (line.startsWith("@@")) replies.add(line.substring(2));
        }
      } catch (IOException ignored) {
        // the process died; the test notices through missing replies
      }
    }

    String request(String line) throws Exception {
      stdin.write(line + "\n");
      stdin.flush();
      String reply = replies.poll(15, TimeUnit.SECONDS);
      if (reply == null) throw new AssertionError(id + " did not answer " + line);
      return reply;
    }

    void awaitReady() throws Exception {
      String r = replies.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertEquals("ready", r, id + " did not start");
    }

    List<String> applied() {
      synchronized (applied) {
        return List.copyOf(applied);
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no shutdown hooks, no journal close
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private final Map<String, Child> children = new HashMap<>();
  private List<Integer> ports;
  private Path dir;

  private static String classpath() {
    // Surefire may start the test JVM from a manifest-only booter jar; it then publishes the real test
    // classpath in surefire.test.class.path.
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
    if (!cp.contains("test-classes")) throw new IllegalStateException("cannot find the test classpath in " + cp);
    return cp;
  }

  private Child start(String id) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(testkit.nodes.NodeProcesses.smallJvm(java,
        "-cp", classpath(), PeerProcess.class.getName(), id,
        ports.get(0) + "," + ports.get(1) + "," + ports.get(2), dir.toAbsolutePath().toString()));
    Child c = new Child(id, cmd, dir.resolve(id + ".log"));
    children.put(id, c);
    return c;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The leader all live children agree on, polling their status; empty until they agree. */
  private Optional<String> agreedLeader(List<String> live) throws Exception {
    String leader = null;
    String term = null;
    for (String id : live) {
      String[] s = children.get(id).request("status").split(" "); // status ROLE TERM LEADER COMMIT LAST
      if (!s[0].equals("status") || s[3].equals("-")) return Optional.empty();
      if (leader == null) {
        leader = s[3];
        term = s[2];
      } else if (!leader.equals(s[3]) || !term.equals(s[2])) {
        return Optional.empty();
      }
    }
    return live.contains(leader) ? Optional.of(leader) : Optional.empty();
  }

  private String awaitLeader(List<String> live) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      Optional<String> l = agreedLeader(live);
      if (l.isPresent()) return l.get();
      Thread.sleep(200);
    }
    throw new AssertionError("no agreed leader among " + live);
  }

  /** Proposes until the command is applied by the leader (retrying on a leader change). */
  private String commit(List<String> live, String command) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      String leader = awaitLeader(live);
      Child c = children.get(leader);
      String r = c.request("propose " + command);
      if (r.startsWith("accepted")) {
        long until = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < until) {
          if (c.applied().contains(command)) return leader;
          Thread.sleep(20);
        }
      } else {
        Thread.sleep(200);
      }
    }
    throw new AssertionError(command + " was never committed");
  }

  private void awaitApplied(String id, List<String> commands) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (System.currentTimeMillis() < deadline && !children.get(id).applied().containsAll(commands)) Thread.sleep(50);
    assertTrue(children.get(id).applied().containsAll(commands), () -> id + " applied " + children.get(id).applied());
  }

  @Test
  void newLeaderAfterKillNineAndRestartedPeerCatchesUpFromItsJournal() throws Exception {
    dir = Path.of("target", "multi-jvm", UUID.randomUUID().toString());
    Files.createDirectories(dir);
    ports = List.of(freePort(), freePort(), freePort());
    List<String> all = List.of("p1", "p2", "p3");
    try {
      for (String id : all) start(id);
      for (String id : all) children.get(id).awaitReady();

      List<String> before = List.of("a1", "a2", "a3");
      String first = null;
      for (String cmd : before) first = commit(all, cmd);
      for (String id : all) awaitApplied(id, before);

      String killed = first;
      children.get(killed).kill();
      List<String> survivors = all.stream().filter(id -> !id.equals(killed)).toList();
      List<String> after = List.of("b1", "b2", "b3");
      String second = null;
      for (String cmd : after) second = commit(survivors, cmd);
      assertNotEquals(killed, second, "a new leader took over");
      for (String id : survivors) awaitApplied(id, after);

      Child restarted = start(killed);
      restarted.awaitReady();
      List<String> everything = new ArrayList<>(before);
      everything.addAll(after);
      // It replays a1..a3 from its own journal and gets b1..b3 from the leader.
      commit(all, "c1");
      everything.add("c1");
      awaitApplied(killed, everything);
      List<String> leaderLog = children.get(second).applied();
      List<String> restartedLog = restarted.applied();
      assertFalse(restartedLog.isEmpty());
      assertEquals(leaderLog.subList(0, Math.min(leaderLog.size(), restartedLog.size())),
          restartedLog.subList(0, Math.min(leaderLog.size(), restartedLog.size())), "same log on both");
    } finally {
      for (Child c : children.values()) {
        c.process.destroyForcibly();
        c.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
