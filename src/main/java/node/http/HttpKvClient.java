package node.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.rsm.ReadConsistency;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;

/**
 * A {@link KvClient} that speaks the {@link KvRoutes} HTTP API (java.net.http, no Akka), so the
 * CLI and {@code bench kv --http} can talk to any node's API. The {@code code} of an error body
 * ({@link ErrorCode}, never its text) maps back to the typed reply: NOT_FOUND NoKey, CONFLICT a
 * failed CAS, BUSY, TIMEOUT, SESSION_EXPIRED, NO_LEADER/WRONG_LEADER WrongLeader, the rest
 * Rejected; an I/O error is a Timeout (the write may or may not have been applied).
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
    return execute(c, ReadConsistency.LINEARIZABLE);
  }

  /** A read at {@code consistency} asks for it ({@code ?consistency=serializable}); linearizable is the API's default. */
  @Override
  public CompletionStage<KvReply> execute(KvCommand c, ReadConsistency consistency) {
    HttpRequest request = request(c, consistency);
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .handle((resp, err) -> err != null ? KvReply.TIMEOUT : reply(c, resp.statusCode(), resp.body()));
  }

  HttpRequest request(KvCommand c) {
    return request(c, ReadConsistency.LINEARIZABLE);
  }

  HttpRequest request(KvCommand c, ReadConsistency consistency) {
    String path = "kv/" + encode(c.key());
    String level = consistency == ReadConsistency.LINEARIZABLE ? "" : "consistency=" + consistency.wireName();
    if (c instanceof KvCommand.Get) return builder(path + (level.isEmpty() ? "" : "?" + level)).GET().build();
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
      if (!level.isEmpty()) q.append('&').append(level);
      return builder(q.toString()).GET().build();
    }
    throw new IllegalArgumentException("unhandled " + c);
  }

  /** The typed reply for a response: the body's record on 200, else what its error {@code code} says. */
  static KvReply reply(KvCommand c, int status, String body) {
    try {
      if (status == 200) return success(c, body);
      JsonNode json = ApiJson.MAPPER.readTree(body == null || body.isEmpty() ? "{}" : body);
      Optional<ErrorCode> code = errorCode(json);
      String error = json.path("error").asText("HTTP " + status);
      if (code.isEmpty()) return new KvReply.Rejected("HTTP " + status + " without an error code: " + error);
      switch (code.get()) {
        case NOT_FOUND:
          return c instanceof KvCommand.Get && json.has("key") ? KvReply.NO_KEY : new KvReply.Rejected(error);
        case CONFLICT:
          if (!(c instanceof KvCommand.Cas)) return new KvReply.Rejected(error);
          return new KvReply.CasResult(false, ApiJson.MAPPER.treeToValue(json, ApiJson.CasConflict.class).current());
        case BUSY:
          return KvReply.BUSY;
        case TIMEOUT:
          return KvReply.TIMEOUT;
        case SESSION_EXPIRED:
          return KvReply.SESSION_EXPIRED;
        case NO_LEADER:
          return new KvReply.WrongLeader(Optional.empty());
        case WRONG_LEADER:
          return new KvReply.WrongLeader(Optional.ofNullable(textOrNull(json.get("leader"))).map(PeerId::of));
        default: // BAD_REQUEST, TOO_LARGE, METHOD_NOT_ALLOWED, INTERNAL: retrying the same request cannot help
          return new KvReply.Rejected(error);
      }
    } catch (IOException | IllegalArgumentException e) {
      return new KvReply.Rejected("unreadable HTTP " + status + " response: " + e.getMessage());
    }
  }

  private static KvReply success(KvCommand c, String body) throws IOException {
    if (c instanceof KvCommand.Get) return new KvReply.Value(ApiJson.MAPPER.readValue(body, ApiJson.KeyValue.class).value());
    if (c instanceof KvCommand.Cas) {
      return new KvReply.CasResult(true, ApiJson.MAPPER.readValue(body, ApiJson.Swapped.class).previous());
    }
    if (c instanceof KvCommand.Scan) {
      ApiJson.Page page = ApiJson.MAPPER.readValue(body, ApiJson.Page.class);
      return new KvReply.Scanned(page.entries().stream().map(e -> new KvReply.Entry(e.key(), e.value())).toList(),
          page.more());
    }
    return KvReply.DONE;
  }

  private static Optional<ErrorCode> errorCode(JsonNode json) {
    try {
      return Optional.of(ErrorCode.valueOf(json.path("code").asText("")));
    } catch (IllegalArgumentException unknown) {
      return Optional.empty();
    }
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return http.sendAsync(builder("status").GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(resp -> {
          if (resp.statusCode() != 200) throw new IllegalStateException("status: HTTP " + resp.statusCode());
          try {
            return ApiJson.MAPPER.readValue(resp.body(), ApiJson.Replicas.class).replicas().stream()
                .map(r -> new RaftStatus(PeerId.of(r.id()), RaftRole.valueOf(r.role()), r.term(),
                    Optional.ofNullable(r.leader()).map(PeerId::of), r.commitIndex(), r.appliedIndex(), r.firstIndex(),
                    r.lastIndex()))
                .toList();
          } catch (IOException e) {
            throw new UncheckedIOException("unreadable status response", e);
          }
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

}
