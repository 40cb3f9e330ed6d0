package node.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The sharded admin API of a node ({@link ShardAdminRoutes}) from a client: each call answers the
 * HTTP status and the JSON body as sent (what {@code bin/raftkv admin
 * shards|join-group|leave-group|move-shard|move-replica|drain-node|nodes} prints). A join or a leave
 * may take up to the node's {@code raftkv.sharded.admin-timeout}; a watch up to its {@code timeout}
 * (at most 60 s) and a bit: give {@code timeout} more than that.
 */
public final class HttpShardAdmin {
  /** A node's answer: its HTTP status and JSON body. */
  public record Answer(int status, String body) {}

  private final URI base;
  private final Duration timeout;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param timeout per request; a leave waits for the group's shards to move, give it minutes */
  public HttpShardAdmin(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
  }

  public Answer shards() throws IOException, InterruptedException {
    return send("GET", "/admin/shards", null);
  }

  public Answer joinGroup(int gid, List<String> nodes) throws IOException, InterruptedException {
    String json = ApiJson.MAPPER.writeValueAsString(new ShardAdminJson.NewGroup(gid, nodes));
    return send("POST", "/admin/groups", json);
  }

  public Answer leaveGroup(int gid) throws IOException, InterruptedException {
    return send("DELETE", "/admin/groups/" + gid, null);
  }

  public Answer move(int shard, int gid) throws IOException, InterruptedException {
    return send("POST", "/admin/shards/" + shard + "/move?to=" + gid, null);
  }

  /** GET /admin/watch: the first configuration above {@code after} (-1: the latest), or {@code changed: false} after {@code seconds}. */
  public Answer watch(long after, int seconds) throws IOException, InterruptedException {
    return send("GET", "/admin/watch?after=" + after + "&timeout=" + seconds, null);
  }

  public Answer moveReplica(int gid, String from, String to) throws IOException, InterruptedException {
    return moveReplica(Integer.toString(gid), from, to);
  }

  /** {@code group}: a gid, or {@code ctrl} for the controller's own replicas. */
  public Answer moveReplica(String group, String from, String to) throws IOException, InterruptedException {
    return send("POST", "/admin/groups/" + query(group) + "/replicas/move?from=" + query(from) + "&to=" + query(to), null);
  }

  public Answer nodes() throws IOException, InterruptedException {
    return send("GET", "/admin/nodes", null);
  }

  public Answer drainNode(String node) throws IOException, InterruptedException {
    return send("POST", "/admin/nodes/" + java.net.URLEncoder.encode(node, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20") + "/drain", null);
  }

  private static String query(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private Answer send(String method, String path, String json) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
    if (json != null) b.header("Content-Type", "application/json");
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }
}
