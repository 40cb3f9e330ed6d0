package node.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvLimits;
import kvraft.KvReply;
import raft.rsm.ReadConsistency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * The KV HTTP API over any {@link KvClient}. Input is checked against {@link KvLimits} here, so a
 * bad request is answered 400/413 without a round trip; every answer is JSON.
 *
 * <pre>
 * PUT    /kv/{key}          body = value (text/plain, or JSON {"value": ...}); ?expected=v (CAS), ?absent=true
 * GET    /kv/{key}          200 {"key","value"} | 404
 * DELETE /kv/{key}          200
 * POST   /kv/{key}/append   body = suffix
 * GET    /kv?from=&to=&limit=   200 {"entries":[{"key","value"}...],"more":bool}
 * GET    /status            200 {"replicas":[{"id","role","term","commit_index","applied_index",...}]}
 * GET    /openapi.json      the OpenAPI 3 description of all of this (src/main/resources/openapi.json)
 * </pre>
 *
 * Every error body is {@code {"code": ErrorCode, "error": text, ...}}; reads take
 * {@code ?consistency=linearizable} (the default: ReadIndex, served by any replica once the leader
 * confirmed a read index), {@code ?consistency=lease} (linearizable from the leader's lease; 400 on a node
 * without {@code raftkv.raft.read-lease}) or {@code ?consistency=serializable} (the replica's local state, possibly stale).
 */
public final class KvRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(KvRoutes.class);

  public static final int DEFAULT_SCAN_LIMIT = 1000;
  /** Room for a JSON wrapper around the largest value KvLimits accepts. */
  static final int BODY_OVERHEAD_BYTES = 16 * 1024;
  private static final FiniteDuration BODY_TIMEOUT = FiniteDuration.create(10, TimeUnit.SECONDS);

  private final KvClient client;
  private final KvLimits limits;

  public KvRoutes(KvClient client, KvLimits limits) {
    this.client = client;
    this.limits = limits;
  }

  /** The largest request body accepted; HttpApi sets akka.http's max-content-length to this too. */
  public static long maxBodyBytes(KvLimits limits) {
    return (long) limits.maxValueBytes() + BODY_OVERHEAD_BYTES;
  }

  /** The read consistency levels a request may ask for ({@code ?consistency=}); the first is the default. */
  public static final List<String> CONSISTENCY_LEVELS = ReadConsistency.allowed();

  /** Where the OpenAPI description is, on the classpath and under the API root. */
  public static final String OPENAPI = "openapi.json";

  public Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        path("status", () -> get(() -> answer(client instanceof GroupedStatus grouped
            ? ApiJson.safely(grouped::statusByGroup).thenApply(ApiJson::statusByGroup)
            : ApiJson.safely(client::status).thenApply(ApiJson::status)))),
        path(OPENAPI, () -> get(() -> getFromResource(OPENAPI, ContentTypes.APPLICATION_JSON))),
        pathPrefix("kv", () -> concat(
            pathEnd(() -> get(() -> read(this::scan))),
            path(PathMatchers.segment().slash("append"), key -> post(() -> withValue(v ->
                run(key, new KvCommand.Append(key, v))))),
            path(PathMatchers.segment(), key -> concat(
                get(() -> read(level -> run(key, new KvCommand.Get(key), level))),
                put(() -> parameterOptional("expected", expected -> parameterOptional("absent", absent ->
                    withValue(v -> write(key, v, expected, absent))))),
                delete(() -> run(key, new KvCommand.Delete(key))))))))));
  }

  /** A read: checks {@code ?consistency=} first (unknown level: 400 UNKNOWN_CONSISTENCY naming the allowed ones). */
  private Route read(Function<ReadConsistency, Route> inner) {
    return parameterOptional("consistency", level -> {
      if (level.isEmpty()) return inner.apply(ReadConsistency.LINEARIZABLE);
      Optional<ReadConsistency> known = ReadConsistency.parse(level.get());
      if (known.isPresent()) return inner.apply(known.get());
      String message = "unknown consistency '" + level.get() + "'; allowed: " + String.join(", ", CONSISTENCY_LEVELS);
      return answer(ApiJson.Answer.of(ErrorCode.UNKNOWN_CONSISTENCY,
          new ApiJson.UnknownConsistency(ErrorCode.UNKNOWN_CONSISTENCY, message, level.get(), CONSISTENCY_LEVELS)));
    });
  }

  private Route write(String key, String value, Optional<String> expected, Optional<String> absent) {
    if (absent.isPresent() && !absent.get().equals("true") && !absent.get().equals("false")) {
      return badRequest("absent must be true or false");
    }
    boolean ifAbsent = absent.map("true"::equals).orElse(false);
    if (ifAbsent && expected.isPresent()) {
      return badRequest("use either expected or absent=true, not both");
    }
    if (ifAbsent) return run(key, new KvCommand.Cas(key, null, value));
    if (expected.isPresent()) return run(key, new KvCommand.Cas(key, expected.get(), value));
    return run(key, new KvCommand.Put(key, value));
  }

  private Route scan(ReadConsistency level) {
    return parameterOptional("from", from -> parameterOptional("to", to -> parameterOptional("limit", limit -> {
      int n = Math.min(DEFAULT_SCAN_LIMIT, limits.maxScanLimit());
      if (limit.isPresent()) {
        try {
          n = Integer.parseInt(limit.get());
        } catch (NumberFormatException e) {
          n = -1;
        }
        if (n < 1) return badRequest("limit must be a positive integer");
      }
      String start = from.orElse("");
      return run(start, new KvCommand.Scan(start, to.orElse(null), n), level);
    })));
  }

  /** Checks {@code c}, then runs it and maps the reply. */
  private Route run(String key, KvCommand c) {
    return run(key, c, ReadConsistency.LINEARIZABLE);
  }

  /** {@link #run(String, KvCommand)}, a read at {@code level}. */
  private Route run(String key, KvCommand c, ReadConsistency level) {
    if (tooLarge(c)) {
      return answer(ApiJson.Answer.error(ErrorCode.TOO_LARGE, "value larger than " + limits.maxValueBytes() + " bytes"));
    }
    Optional<KvReply.Rejected> rejected = limits.check(c);
    if (rejected.isPresent()) return answer(ApiJson.reply(key, rejected.get()));
    return answer(ApiJson.safely(() -> client.execute(c, level)).thenApply(r -> ApiJson.reply(key, r)));
  }

  private Route badRequest(String message) {
    return answer(ApiJson.Answer.error(ErrorCode.BAD_REQUEST, message));
  }

  /** Completes with a status and a JSON body through akka-http-jackson's marshaller. */
  private Route answer(ApiJson.Answer a) {
    List<HttpHeader> headers = a.retryAfter() ? List.of(RetryAfter.create(ApiJson.RETRY_AFTER_SECONDS)) : List.of();
    return complete(a.status(), headers, a.body(), ApiJson.MARSHALLER);
  }

  private Route answer(CompletionStage<ApiJson.Answer> later) {
    return onSuccess(later.exceptionally(KvRoutes::internal), this::answer);
  }

  private boolean tooLarge(KvCommand c) {
    String value = null;
    String expected = null;
    if (c instanceof KvCommand.Put p) value = p.value();
    if (c instanceof KvCommand.Append a) value = a.value();
    if (c instanceof KvCommand.Cas s) {
      value = s.value();
      expected = s.expected();
    }
    return utf8(value) > limits.maxValueBytes() || utf8(expected) > limits.maxValueBytes();
  }

  private static int utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The request body as the value: JSON {"value": "..."} or the raw text. */
  private Route withValue(Function<String, Route> inner) {
    return extractStrictEntity(BODY_TIMEOUT, maxBodyBytes(limits), entity -> {
      String text;
      try {
        text = decode(entity);
      } catch (CharacterCodingException e) {
        return badRequest("body is not valid text in its charset");
      }
      if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) return inner.apply(text);
      JsonNode value;
      try {
        value = ApiJson.MAPPER.readTree(text);
      } catch (IOException | RuntimeException e) {
        return badRequest("malformed JSON body");
      }
      // Checked on the tree first: Jackson 2.13 would coerce {"value": 3} into the string "3".
      if (value == null || !value.path("value").isTextual()) {
        return badRequest("JSON body must be {\"value\": \"<string>\"}");
      }
      return inner.apply(ApiJson.MAPPER.convertValue(value, ApiJson.ValueBody.class).value());
    });
  }

  private static String decode(HttpEntity.Strict entity) throws CharacterCodingException {
    Charset cs = entity.getContentType().getCharsetOption()
        .map(c -> c.nioCharset()).orElse(StandardCharsets.UTF_8);
    return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(entity.getData().toArray())).toString();
  }

  private static ApiJson.Answer internal(Throwable t) {
    log.error("KV request failed", t);
    return ApiJson.Answer.error(ErrorCode.INTERNAL, "internal error");
  }

  /** An oversized body fails the entity stream (possibly wrapped); that is the client's 413, not our 500. */
  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(t -> {
          Throwable cause = t;
          while (!(cause instanceof EntityStreamSizeException || cause instanceof IllegalRequestException)
              && cause.getCause() != null) cause = cause.getCause();
          if (cause instanceof EntityStreamSizeException e) {
            return answer(ApiJson.Answer.error(ErrorCode.TOO_LARGE, "request body larger than " + e.limit() + " bytes"));
          }
          if (cause instanceof IllegalRequestException e) {
            // toStrictEntity reports its size limit as a 400 "Request too large": that is our 413.
            // (akka-http's own exception: its summary is all it says about which limit.)
            boolean tooLarge = e.info().summary().startsWith("Request too large");
            if (tooLarge) {
              return answer(ApiJson.Answer.error(ErrorCode.TOO_LARGE, "request body larger than " + maxBodyBytes(limits)
                  + " bytes"));
            }
            ErrorCode code = ErrorCode.ofStatus(e.status().intValue());
            return answer(new ApiJson.Answer(e.status(), new ApiJson.Error(code, e.info().summary()), false));
          }
          return answer(internal(t));
        })
        .build();
  }

  /** akka-http's default rejection answers (404, 405, 400 ...) as error bodies, the code from the status. */
  static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(resp -> {
      if (!(resp.entity() instanceof HttpEntity.Strict strict)) return resp;
      if (strict.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) return resp;
      ApiJson.Error body = new ApiJson.Error(ErrorCode.ofStatus(resp.status().intValue()), strict.getData().utf8String());
      try {
        return resp.withEntity(ContentTypes.APPLICATION_JSON, ApiJson.MAPPER.writeValueAsBytes(body));
      } catch (IOException e) {
        throw new IllegalStateException("unserializable " + body, e);
      }
    });
  }
}
