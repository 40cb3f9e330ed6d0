package bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A 3-member etcd on loopback for {@code bench versus-etcd}: each member its own process with
 * its own data directory, free client and peer ports, a static {@code --initial-cluster}, etcd's
 * defaults otherwise (fsync on every commit). {@link #leader()} is the client URL of the member
 * that is leader, found through the JSON gateway's {@code /v3/maintenance/status}.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One member: name, loopback ports, data directory. */
  public record Member(String name, int clientPort, int peerPort, Path dataDir) {
    public String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }

    public String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }
  }

  private final List<Member> members;
  private final List<ChildProcess> processes;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private EtcdCluster(List<Member> members, List<ChildProcess> processes) {
    this.members = members;
    this.processes = processes;
  }

  /** Three members named m1..m3 on free loopback ports, data under {@code dir}/m1..m3. */
  public static List<Member> members(Path dir) throws IOException {
    List<Member> ms = new ArrayList<>();
    for (int i = 1; i <= 3; i++) ms.add(new Member("m" + i, ChildProcess.freePort(), ChildProcess.freePort(), dir.resolve("m" + i)));
    return ms;
  }

  /** The command line that starts {@code self} as one member of {@code all}. */
  public static List<String> command(Path etcd, Member self, List<Member> all) {
    String cluster = all.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
    return List.of(etcd.toString(),
        "--name", self.name(),
        "--data-dir", self.dataDir().toString(),
        "--listen-client-urls", self.clientUrl(),
        "--advertise-client-urls", self.clientUrl(),
        "--listen-peer-urls", self.peerUrl(),
        "--initial-advertise-peer-urls", self.peerUrl(),
        "--initial-cluster", cluster,
        "--initial-cluster-token", "raftkv-versus-etcd",
        "--initial-cluster-state", "new",
        "--log-level", "warn");
  }

  /** Starts the members, logs under {@code dir}, and waits until one of them is leader. */
  public static EtcdCluster start(Path etcd, Path dir, Duration timeout) throws IOException, InterruptedException {
    List<Member> ms = members(dir);
    List<ChildProcess> ps = new ArrayList<>();
    EtcdCluster cluster = new EtcdCluster(ms, ps);
    try {
      for (Member m : ms) ps.add(ChildProcess.start("etcd " + m.name(), command(etcd, m, ms), dir.resolve(m.name() + ".log")));
      cluster.awaitLeader(timeout);
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private URI leader;

  /** The leader's client URL (found at start; etcd keeps its leader on an idle loopback cluster). */
  public URI leader() {
    return leader;
  }

  private void awaitLeader(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (ChildProcess p : processes) p.requireAlive();
      for (Member m : members) {
        JsonNode s = status(m);
        if (s != null && !s.path("leader").asText("0").equals("0")
            && s.path("leader").asText().equals(s.path("header").path("member_id").asText())) {
          leader = URI.create(m.clientUrl());
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("etcd elected no leader within " + timeout);
  }

  /** The member's {@code /v3/maintenance/status} answer, or null while it does not answer. */
  private JsonNode status(Member m) throws InterruptedException {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create(m.clientUrl() + "/v3/maintenance/status"))
          .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200 ? MAPPER.readTree(resp.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    for (ChildProcess p : processes) p.close();
  }
}
