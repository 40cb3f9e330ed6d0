package node.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kvraft.KvReply;
import raft.core.RaftStatus;

/**
 * How {@link KvReply} values become HTTP responses: one status code per reply type, a JSON body
 * always (errors as {@code {"error": ...}}), so clients never parse text.
 */
final class KvJson {
  private KvJson() {}

  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Seconds a client should wait after 503 (Busy, Timeout): about one election timeout. */
  static final long RETRY_AFTER_SECONDS = 1;

  static HttpResponse reply(String key, KvReply r) {
    if (r instanceof KvReply.Value v) return ok(obj("key", key, "value", v.value()));
    if (r instanceof KvReply.NoKey) return error(StatusCodes.NOT_FOUND, "no such key", "key", key);
    if (r instanceof KvReply.Done) return ok(obj("key", key, "ok", true));
    if (r instanceof KvReply.CasResult c) {
      if (c.swapped()) return ok(obj("key", key, "ok", true, "previous", c.previous()));
      return error(StatusCodes.CONFLICT, "compare failed", "key", key, "current", c.previous());
    }
    if (r instanceof KvReply.Scanned s) {
      List<Map<String, Object>> entries = new ArrayList<>(s.entries().size());
      for (KvReply.Entry e : s.entries()) entries.add(obj("key", e.key(), "value", e.value()));
      return ok(obj("entries", entries, "more", s.more()));
    }
    if (r instanceof KvReply.Rejected rej) return error(StatusCodes.BAD_REQUEST, rej.reason());
    if (r instanceof KvReply.Busy) return unavailable("busy: too many pending requests");
    if (r instanceof KvReply.Timeout) {
      return unavailable("timeout: no replica answered in time; a write may or may not have been applied");
    }
    // The client follows leader hints itself; one that surfaces here means no leader was found.
    return unavailable("no leader available");
  }

  static HttpResponse status(List<RaftStatus> replicas) {
    List<Map<String, Object>> out = new ArrayList<>(replicas.size());
    for (RaftStatus s : replicas) {
      out.add(obj("id", s.id().toString(), "role", s.role().toString(), "term", s.term(),
          "leader", s.leader().map(Object::toString).orElse(null), "commit_index", s.commitIndex(),
          "applied_index", s.appliedIndex(), "first_index", s.firstIndex(), "last_index", s.lastIndex()));
    }
    return ok(obj("replicas", out));
  }

  static HttpResponse unavailable(String message) {
    return error(StatusCodes.SERVICE_UNAVAILABLE, message).addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
  }

  /** {@code {"error": message, k1: v1, ...}} with {@code code}. */
  static HttpResponse error(StatusCode code, String message, Object... more) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.putAll(obj(more));
    return json(code, body);
  }

  static HttpResponse ok(Object body) {
    return json(StatusCodes.OK, body);
  }

  static HttpResponse json(StatusCode code, Object body) {
    try {
      return HttpResponse.create().withStatus(code)
          .withEntity(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unserializable response " + body, e);
    }
  }

  /** An ordered map from alternating keys and values (null values kept: they mean "absent"). */
  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }
}
