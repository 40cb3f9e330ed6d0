package node.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Follows a sharded node's configurations ({@code bin/raftkv admin --http URL watch}): long polls
 * {@code GET /admin/watch} with the number of the last configuration seen, so every configuration
 * after the first is seen once and in order, and hands each one's JSON (one line, as the node sent
 * it) to a consumer. A poll that times out ({@code changed: false}) is simply asked again.
 */
public final class ConfigFollower {
  private final HttpShardAdmin admin;
  private final int pollSeconds;

  /** The longest wait the node accepts for one poll. */
  public static final int MAX_POLL_SECONDS = ShardAdminRoutes.WATCH_MAX_SECONDS;

  /** @param pollSeconds the wait of each poll (the node's {@code timeout=}), 1..60: 0 would poll without pause */
  public ConfigFollower(HttpShardAdmin admin, int pollSeconds) {
    if (pollSeconds < 1 || pollSeconds > MAX_POLL_SECONDS)
      throw new IllegalArgumentException("a poll waits 1.." + MAX_POLL_SECONDS + " s, was " + pollSeconds);
    this.admin = admin;
    this.pollSeconds = pollSeconds;
  }

  /**
   * Hands {@code line} each configuration numbered above {@code after} (-1: the latest first),
   * until {@code count} were handed (0: no end; the thread is interrupted) or the node answers
   * anything but 200: that answer is returned; after {@code count} configurations, 200 with an
   * empty body.
   */
  public HttpShardAdmin.Answer follow(long after, long count, Consumer<String> line) throws IOException, InterruptedException {
    long last = after;
    for (long seen = 0; count <= 0 || seen < count; ) {
      HttpShardAdmin.Answer a = admin.watch(last, pollSeconds);
      if (a.status() != 200) return a;
      JsonNode body = ApiJson.MAPPER.readTree(a.body());
      if (!body.path("changed").asBoolean()) continue;
      line.accept(a.body());
      last = body.path("num").asLong();
      seen++;
    }
    return new HttpShardAdmin.Answer(200, "");
  }
}
