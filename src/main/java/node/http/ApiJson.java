package node.http;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.marshalling.Marshaller;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import kvraft.KvReply;
import raft.core.RaftStatus;
import raft.serialization.RaftJacksonModule;

/**
 * The JSON bodies of the HTTP API as records, written and read with Jackson (akka-http-jackson's
 * marshaller on the server, the same records in {@link HttpKvClient}), and how each
 * {@link KvReply} becomes a status and a body. The shapes are those of {@code openapi.json}.
 */
final class ApiJson {
  private ApiJson() {}

  static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new RaftJacksonModule());
  static final Marshaller<Object, RequestEntity> MARSHALLER = Jackson.marshaller(MAPPER);

  /** Seconds a client should wait after a retryable 503 (Busy, Timeout, no leader): about one election timeout. */
  static final long RETRY_AFTER_SECONDS = 1;

  // ---- bodies ------------------------------------------------------------------------------

  /** GET /kv/{key}; also one entry of a scan. */
  record KeyValue(String key, String value) {}

  /** PUT, DELETE, append. */
  record Written(String key, boolean ok) {}

  /** A compare-and-set that swapped; {@code previous} null: the key was absent. */
  record Swapped(String key, boolean ok, String previous) {}

  /** GET /kv: {@code more} says the limit cut it short. */
  record Page(List<KeyValue> entries, boolean more) {}

  /** {@code group}: the replica's group, on a node that hosts several (a sharded node); absent elsewhere. */
  record Replica(@JsonInclude(JsonInclude.Include.NON_NULL) String group, String id, String role, long term, String leader,
      @JsonProperty("commit_index") long commitIndex, @JsonProperty("applied_index") long appliedIndex,
      @JsonProperty("first_index") long firstIndex, @JsonProperty("last_index") long lastIndex) {}

  /** GET /status. */
  record Replicas(List<Replica> replicas) {}

  /** Every error: a code to act on, a text to read; {@code key} or {@code leader} where they apply. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Error(ErrorCode code, String error, String key, String leader) {
    Error(ErrorCode code, String error) {
      this(code, error, null, null);
    }
  }

  /** 409 of a compare-and-set: {@code current} null means the key is absent (so it is always written). */
  record CasConflict(ErrorCode code, String error, String key, String current) {}

  /** 400 of a read asking for a consistency level there is none of: the levels there are. */
  record UnknownConsistency(ErrorCode code, String error, String consistency, List<String> allowed) {}

  /** The request body {@code {"value": "..."}}. */
  record ValueBody(String value) {}

  // ---- replies -------------------------------------------------------------------------------

  /** A status and a body to complete a request with; {@code retryAfter} adds the header. */
  record Answer(StatusCode status, Object body, boolean retryAfter) {
    static Answer ok(Object body) {
      return new Answer(StatusCodes.OK, body, false);
    }

    static Answer error(ErrorCode code, String message) {
      return of(code, new Error(code, message));
    }

    static Answer of(ErrorCode code, Object body) {
      return new Answer(code.status(), body, code.retryAfter());
    }
  }

  static Answer reply(String key, KvReply r) {
    if (r instanceof KvReply.Value v) return Answer.ok(new KeyValue(key, v.value()));
    if (r instanceof KvReply.NoKey) return Answer.of(ErrorCode.NOT_FOUND, new Error(ErrorCode.NOT_FOUND, "no such key", key, null));
    if (r instanceof KvReply.Done) return Answer.ok(new Written(key, true));
    if (r instanceof KvReply.CasResult c) {
      if (c.swapped()) return Answer.ok(new Swapped(key, true, c.previous()));
      return Answer.of(ErrorCode.CONFLICT, new CasConflict(ErrorCode.CONFLICT, "compare failed", key, c.previous()));
    }
    if (r instanceof KvReply.Scanned s) {
      return Answer.ok(new Page(s.entries().stream().map(e -> new KeyValue(e.key(), e.value())).toList(), s.more()));
    }
    if (r instanceof KvReply.Rejected rej) return Answer.error(ErrorCode.BAD_REQUEST, rej.reason());
    if (r instanceof KvReply.Busy) return Answer.error(ErrorCode.BUSY, "busy: too many pending requests");
    if (r instanceof KvReply.Timeout) {
      return Answer.error(ErrorCode.TIMEOUT, "timeout: no replica answered in time; a write may or may not have been applied");
    }
    if (r instanceof KvReply.SessionExpired) {
      return Answer.error(ErrorCode.SESSION_EXPIRED,
          "session expired: this write was not applied; an earlier unanswered one may or may not have been");
    }
    if (r instanceof KvReply.WrongLeader w) {
      // The node's client follows hints itself; one that surfaces here means it found no leader in time.
      if (w.leaderHint().isEmpty()) return Answer.error(ErrorCode.NO_LEADER, "no leader available");
      return Answer.of(ErrorCode.WRONG_LEADER, new Error(ErrorCode.WRONG_LEADER, "not the leader", null,
          w.leaderHint().get().toString()));
    }
    throw new IllegalArgumentException("no HTTP answer for " + r); // a new KvReply type: a 500 until mapped
  }

  static Answer status(List<RaftStatus> replicas) {
    return Answer.ok(new Replicas(replicas.stream().map(s -> replica(null, s)).toList()));
  }

  /** GET /status on a node hosting several groups: every replica under its group's name, groups in name order. */
  static Answer statusByGroup(java.util.Map<raft.GroupId, List<RaftStatus>> byGroup) {
    List<Replica> out = new java.util.ArrayList<>();
    new java.util.TreeMap<>(byGroup.entrySet().stream().collect(java.util.stream.Collectors.toMap(
        e -> e.getKey().toString(), java.util.Map.Entry::getValue)))
        .forEach((group, statuses) -> statuses.forEach(s -> out.add(replica(group, s))));
    return Answer.ok(new Replicas(out));
  }

  private static Replica replica(String group, RaftStatus s) {
    return new Replica(group, s.id().toString(), s.role().toString(), s.term(), s.leader().map(Object::toString).orElse(null),
        s.commitIndex(), s.appliedIndex(), s.firstIndex(), s.lastIndex());
  }

  /** A client call that throws instead of returning a failed stage is treated the same way. */
  static <T> java.util.concurrent.CompletionStage<T> safely(java.util.function.Supplier<java.util.concurrent.CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }
}
