package bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.core.RaftStatus;

/**
 * Get/Put/Delete against etcd's v3 JSON gateway ({@code POST /v3/kv/range|put|deleterange}, keys
 * and values base64), so {@code bench kv --etcd URL} runs the same workload on etcd for a
 * side-by-side ratio. etcd's range is linearizable by default, like our Get. Only what the
 * benchmark needs: other commands are Rejected.
 */
public final class EtcdKvClient implements KvClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  public EtcdKvClient(URI base, Duration timeout) {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand c) {
    String path;
    String body;
    if (c instanceof KvCommand.Get g) {
      path = "v3/kv/range";
      body = rangeBody(g.key());
    } else if (c instanceof KvCommand.Put p) {
      path = "v3/kv/put";
      body = putBody(p.key(), p.value());
    } else if (c instanceof KvCommand.Delete d) {
      path = "v3/kv/deleterange";
      body = rangeBody(d.key());
    } else {
      return CompletableFuture.completedFuture(new KvReply.Rejected("not supported against etcd: " + c));
    }
    HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle((resp, err) -> err != null ? KvReply.TIMEOUT : reply(c, resp.statusCode(), resp.body()));
  }

  static KvReply reply(KvCommand c, int code, String body) {
    if (code == 429 || code == 503) return KvReply.BUSY;
    if (code != 200) return new KvReply.Rejected("etcd HTTP " + code + ": " + body);
    if (c instanceof KvCommand.Get) return parseRange(body);
    return KvReply.DONE;
  }

  /** {@code {"key": base64(key), "value": base64(value)}}. */
  public static String putBody(String key, String value) {
    return json(Map.of("key", b64(key), "value", b64(value)));
  }

  /** {@code {"key": base64(key)}}: a single-key range. */
  public static String rangeBody(String key) {
    return json(Map.of("key", b64(key)));
  }

  /** A single-key range; {@code serializable} lets the member answer from its own state (possibly stale). */
  public static String rangeBody(String key, boolean serializable) {
    return serializable ? json(Map.of("key", b64(key), "serializable", true)) : rangeBody(key);
  }

  /** A range response: the first kv's decoded value, or NoKey when {@code kvs} is absent or empty. */
  public static KvReply parseRange(String body) {
    try {
      JsonNode kvs = MAPPER.readTree(body).path("kvs");
      if (!kvs.isArray() || kvs.isEmpty()) return KvReply.NO_KEY;
      String v = kvs.get(0).path("value").asText("");
      return new KvReply.Value(new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      return new KvReply.Rejected("unreadable etcd range response: " + e.getMessage());
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String json(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public void close() {}
}
