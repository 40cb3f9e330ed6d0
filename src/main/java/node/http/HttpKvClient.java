package node.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;

/**
 * A {@link KvClient} that speaks the {@link KvRoutes} HTTP API (java.net.http, no Akka), so the
 * CLI and {@code bench kv --http} can talk to any node's API. Status codes map back to the typed
 * replies: 404 NoKey, 409 failed CAS, 400/413 Rejected, 503 Busy or Timeout; an I/O error is a
 * Timeout (the write may or may not have been applied).
 */
public final class HttpKvClient implements KvClient {
  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  public HttpKvClient(URI base, Duration timeout) {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand c) {
    HttpRequest request = request(c);
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .handle((resp, err) -> err != null ? KvReply.TIMEOUT : reply(c, resp.statusCode(), resp.body()));
  }

  HttpRequest request(KvCommand c) {
    String path = "kv/" + encode(c.key());
    if (c instanceof KvCommand.Get) return builder(path).GET().build();
    if (c instanceof KvCommand.Delete) return builder(path).DELETE().build();
    if (c instanceof KvCommand.Put p) return builder(path).PUT(text(p.value())).build();
    if (c instanceof KvCommand.Append a) return builder(path + "/append").POST(text(a.value())).build();
    if (c instanceof KvCommand.Cas s) {
      String q = s.expected() == null ? "?absent=true" : "?expected=" + encode(s.expected());
      return builder(path + q).PUT(text(s.value())).build();
    }
    if (c instanceof KvCommand.Scan s) {
      StringBuilder q = new StringBuilder("kv?from=").append(encode(s.key()));
      if (s.to() != null) q.append("&to=").append(encode(s.to()));
      if (s.limit() > 0) q.append("&limit=").append(s.limit());
      return builder(q.toString()).GET().build();
    }
    throw new IllegalArgumentException("unhandled " + c);
  }

  static KvReply reply(KvCommand c, int code, String body) {
    JsonNode json = parse(body);
    String error = json.path("error").asText("HTTP " + code);
    if (code == 200) {
      if (c instanceof KvCommand.Get) return new KvReply.Value(json.path("value").asText());
      if (c instanceof KvCommand.Cas) return new KvReply.CasResult(true, textOrNull(json.get("previous")));
      if (c instanceof KvCommand.Scan) {
        List<KvReply.Entry> entries = new ArrayList<>();
        for (JsonNode e : json.path("entries")) entries.add(new KvReply.Entry(e.path("key").asText(), e.path("value").asText()));
        return new KvReply.Scanned(entries, json.path("more").asBoolean());
      }
      return KvReply.DONE;
    }
    if (code == 404 && c instanceof KvCommand.Get && json.has("key")) return KvReply.NO_KEY;
    if (code == 409 && c instanceof KvCommand.Cas) return new KvReply.CasResult(false, textOrNull(json.get("current")));
    if (code == 503) return error.startsWith("busy") ? KvReply.BUSY : KvReply.TIMEOUT;
    return new KvReply.Rejected(error);
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return http.sendAsync(builder("status").GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(resp -> {
          if (resp.statusCode() != 200) throw new IllegalStateException("status: HTTP " + resp.statusCode());
          List<RaftStatus> out = new ArrayList<>();
          for (JsonNode r : parse(resp.body()).path("replicas")) {
            out.add(new RaftStatus(PeerId.of(r.path("id").asText()), RaftRole.valueOf(r.path("role").asText()),
                r.path("term").asLong(), Optional.ofNullable(textOrNull(r.get("leader"))).map(PeerId::of),
                r.path("commit_index").asLong(), r.path("applied_index").asLong(),
                r.path("first_index").asLong(), r.path("last_index").asLong()));
          }
          return out;
        });
  }

  @Override
  public void close() {
    // java.net.http.HttpClient (Java 17) has no close; its threads are daemons.
  }

  private HttpRequest.Builder builder(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
  }

  private static HttpRequest.BodyPublisher text(String s) {
    return HttpRequest.BodyPublishers.ofString(s, StandardCharsets.UTF_8);
  }

  /** Percent-encoding for a path segment or query value (URLEncoder's '+' is a literal '+' in a path). */
  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static JsonNode parse(String body) {
    try {
      return KvJson.MAPPER.readTree(body == null || body.isEmpty() ? "{}" : body);
    } catch (IOException e) {
      return KvJson.MAPPER.createObjectNode();
    }
  }
}
