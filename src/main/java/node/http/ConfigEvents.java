package node.http;

import akka.NotUsed;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.japi.Pair;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import node.ShardAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shardctrl.CtrlReply;

/**
 * {@code GET /admin/watch} as server-sent events ({@code Accept: text/event-stream}): one {@code
 * config} event per configuration above {@code after}, in order (id: its number, data: the same
 * JSON as the long poll's {@code changed: true} answer), by the same long polls as {@link
 * ConfigFollower}; a heartbeat whenever a poll times out, so proxies and the server's idle timeout
 * keep the stream open. A controller that does not answer ends the stream with one {@code error}
 * event (data: the JSON error); an EventSource then reconnects with {@code Last-Event-ID}.
 */
final class ConfigEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigEvents.class);

  private ConfigEvents() {}

  /** How long each poll waits before a heartbeat: below akka-http's default idle timeout (60 s). */
  static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private record Position(long after, boolean ended) {}

  static Source<ServerSentEvent, NotUsed> after(ShardAdmin admin, long after) {
    return Source.unfoldAsync(new Position(after, false), p -> p.ended()
        ? CompletableFuture.completedFuture(Optional.empty())
        : next(admin, p.after()));
  }

  private static CompletionStage<Optional<Pair<Position, ServerSentEvent>>> next(ShardAdmin admin, long after) {
    return ApiJson.safely(() -> admin.watch(after, HEARTBEAT)).handle((r, t) -> {
      if (r instanceof CtrlReply.Config c) {
        long num = c.config().num();
        String data = json(ShardAdminJson.watched(r, admin.keyRanges()).body());
        return Optional.of(Pair.create(new Position(num, false), ServerSentEvent.create(data, "config", Long.toString(num))));
      }
      if (r instanceof CtrlReply.Unchanged) return Optional.of(Pair.create(new Position(after, false), ServerSentEvent.heartbeat()));
      if (t != null) LOG.error("watch stream after configuration {} failed", after, t);
      ApiJson.Answer a = t != null ? ApiJson.Answer.error(ErrorCode.INTERNAL, "internal error") : ShardAdminJson.reply(r);
      return Optional.of(Pair.create(new Position(after, true), ServerSentEvent.create(json(a.body()), "error")));
    });
  }

  private static String json(Object body) {
    try {
      return ApiJson.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unserializable " + body, e);
    }
  }
}
