package node.http;

import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import java.util.function.Supplier;
import node.ShardAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/**
 * The operator's API of a sharded node, over any {@link ShardAdmin}:
 *
 * <pre>
 * GET    /admin/shards                     200 {"num","shards":[gid per shard],"groups":{gid:[servers]}}
 * POST   /admin/groups  {"gid","nodes"}    replicas created on the nodes, then joined   200 the new configuration
 * DELETE /admin/groups/{gid}               left, drained, replicas retired               200 the new configuration
 * POST   /admin/shards/{shard}/move?to=gid                                               200 the new configuration
 * GET    /admin/shard                      200 {"num","shards":[{"shard","range","gid","status","applied","leader"}]}
 * GET    /admin/shard/{shard}              200 {"num","shard","range","gid","status","applied","leader"}
 * GET    /admin/groups/{gid}/shards        200 {"num","gid","owned",
 *                                              "replicas":[{"server","leader","applied","shards":[{"shard","status","keys"}]}]}
 * GET    /admin/watch?after=N&timeout=S    the first configuration above N once applied (N -1 or absent: the latest)
 *                                          200 {"changed":true,"num",...}; none within S s: 200 {"changed":false,"num"}
 *                                          Accept: text/event-stream: every configuration above N as events
 * POST   /admin/groups/{gid}/replicas/move?from=A&to=B  a replica of gid from node A to B     200 the new configuration
 * POST   /admin/groups/ctrl/replicas/move?from=A&to=B   the controller's replica from A to B   200 {"num","controller":[...]}
 * POST   /admin/nodes/{node}/drain          every replica off the node (controller's too)     200 {"node","done","moved","left","not_moved"}
 * GET    /admin/nodes                       each node: up, its replicas; moves running here  200 {"num","nodes":{..},"moving":{..}}
 * </pre>
 *
 * Refusals are JSON errors: {@code GID_IN_USE} 409, {@code UNKNOWN_GROUP} 404, {@code UNKNOWN_SHARD} 404,
 * {@code UNKNOWN_NODE} 404, {@code NO_REPLICA_ON_NODE} 404, {@code REPLICA_ON_NODE} 409, {@code MOVE_IN_PROGRESS} 409, {@code BAD_REQUEST}
 * 400, {@code TIMEOUT} 503 (a change may or may not have been made).
 */
public final class ShardAdminRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ShardAdminRoutes.class);

  /** The gid segment that names the controller's own group in a replica move. */
  static final String CONTROLLER = "ctrl";

  private final ShardAdmin admin;
  /** A join or leave answers within the admin timeout; the HTTP request may take that long and a bit. */
  private final scala.concurrent.duration.FiniteDuration requestTimeout;
  /** A drain makes one move per replica on the node, each within the admin timeout. */
  private final scala.concurrent.duration.FiniteDuration drainTimeout;

  public ShardAdminRoutes(ShardAdmin admin, Duration adminTimeout) {
    this.admin = admin;
    this.requestTimeout = scala.concurrent.duration.FiniteDuration.create(adminTimeout.plusSeconds(15).toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
    this.drainTimeout = scala.concurrent.duration.FiniteDuration.create(adminTimeout.multipliedBy(10).toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public Route route() {
    return pathPrefix("admin", () -> handleRejections(KvRoutes.rejections(), () -> concat(
        path("shards", () -> get(() -> run(admin::shards))),
        path("groups", () -> post(() -> withRequestTimeout(requestTimeout, () ->
            entity(Unmarshaller.entityToString(), this::join)))),
        path(PathMatchers.segment("groups").slash(PathMatchers.segment()), gid -> delete(() ->
            withRequestTimeout(requestTimeout, () -> number(gid, "gid", g -> run(() -> admin.leaveGroup(g)))))),
        path(PathMatchers.segment("groups").slash(PathMatchers.segment()).slash("shards"), gid -> get(() ->
            withRequestTimeout(requestTimeout, () -> number(gid, "gid", this::groupShards)))),
        path(PathMatchers.segment("groups").slash(PathMatchers.segment()).slash("replicas").slash("move"), gid -> post(() ->
            withRequestTimeout(requestTimeout, () -> parameterOptional("from", from -> parameterOptional("to", to ->
                from.filter(f -> !f.isBlank()).isEmpty() || to.filter(t -> !t.isBlank()).isEmpty()
                    ? bad("?from=<node>&to=<node> are required")
                    : gid.equals(CONTROLLER) ? run(() -> admin.moveControllerReplica(from.get(), to.get()))
                    : number(gid, "gid", g -> run(() -> admin.moveReplica(g, from.get(), to.get())))))))),
        path("nodes", () -> get(() -> onSuccess(ApiJson.safely(admin::nodes).handle((n, t) -> t != null ? internal(t)
            : n == null ? ApiJson.Answer.error(ErrorCode.TIMEOUT, "the controller did not answer") : ApiJson.Answer.ok(
                ShardAdminJson.nodes(n))), this::answer))),
        path(PathMatchers.segment("nodes").slash(PathMatchers.segment()).slash("drain"), node -> post(() ->
            withRequestTimeout(drainTimeout, () -> onSuccess(ApiJson.safely(() -> admin.drainNode(node))
                .handle((d, t) -> t == null ? ShardAdminJson.drain(d) : internal(t)), this::answer)))),
        path(PathMatchers.segment("shards").slash(PathMatchers.segment()).slash("move"), shard -> post(() ->
            parameterOptional("to", to -> number(shard, "shard", s -> to.isEmpty() ? bad("?to=<gid> is required")
                : number(to.get(), "to", g -> run(() -> admin.move(s, g))))))),
        path("shard", () -> get(() -> withRequestTimeout(requestTimeout, () -> shardStates(Optional.empty())))),
        path(PathMatchers.segment("shard").slash(PathMatchers.segment()), id -> get(() ->
            withRequestTimeout(requestTimeout, () -> number(id, "shard", s -> shardStates(Optional.of(s)))))),
        path("watch", () -> get(() -> parameterOptional("after", after -> parameterOptional("timeout", wait ->
            optionalHeaderValueByName("Accept", accept -> optionalHeaderValueByName("Last-Event-ID", lastId ->
                accept.filter(a -> a.contains("text/event-stream")).isPresent()
                    ? events(after.or(() -> lastId), wait) : watch(after, wait))))))))));
  }

  /** Every shard (none given) or one: the latest configuration, then each owning group asked how the shard stands. */
  private Route shardStates(Optional<Integer> one) {
    CompletionStage<ApiJson.Answer> answer = ApiJson.safely(admin::shards).thenCompose(r -> {
      if (!(r instanceof CtrlReply.Config c)) return CompletableFuture.completedFuture(ShardAdminJson.reply(r));
      ShardConfig config = c.config();
      if (one.isPresent() && (one.get() < 0 || one.get() >= config.nShards()))
        return CompletableFuture.completedFuture(ApiJson.Answer.error(ErrorCode.UNKNOWN_SHARD,
            "no shard " + one.get() + ": shards are 0.." + (config.nShards() - 1)));
      List<Integer> shards = one.map(List::of).orElseGet(() -> IntStream.range(0, config.nShards()).boxed().toList());
      return admin.shardStates(config, shards).thenApply(states -> ApiJson.Answer.ok(one.isPresent()
          ? ShardAdminJson.shard(config.num(), states.get(0), admin.keyRanges())
          : ShardAdminJson.shards(config.num(), states, admin.keyRanges())));
    });
    return onSuccess(answer.handle((a, t) -> t == null ? a : internal(t)), this::answer);
  }

  /** Every replica of group {@code gid} of the latest configuration: how it holds each shard. */
  private Route groupShards(int gid) {
    CompletionStage<ApiJson.Answer> answer = ApiJson.safely(admin::shards).thenCompose(r -> {
      if (!(r instanceof CtrlReply.Config c)) return CompletableFuture.completedFuture(ShardAdminJson.reply(r));
      ShardConfig config = c.config();
      if (!config.groups().containsKey(gid))
        return CompletableFuture.completedFuture(ShardAdminJson.reply(new CtrlReply.UnknownGid(gid)));
      return admin.groupShards(config, gid).thenApply(rs -> ApiJson.Answer.ok(ShardAdminJson.groupShards(config, gid, rs)));
    });
    return onSuccess(answer.handle((a, t) -> t == null ? a : internal(t)), this::answer);
  }

  /** Default and longest wait of GET /admin/watch, in seconds. */
  static final int WATCH_DEFAULT_SECONDS = 30;
  static final int WATCH_MAX_SECONDS = 60;

  private record WatchParams(long after, Duration timeout) {}

  /** Parses {@code after} and {@code timeout} (absent: -1 and the default); a malformed one answers 400. */
  private Route watchParams(Optional<String> afterText, Optional<String> waitText,
      java.util.function.Function<WatchParams, Route> inner) {
    long after;
    int seconds;
    try {
      after = afterText.map(Long::parseLong).orElse(-1L);
      seconds = waitText.map(Integer::parseInt).orElse(WATCH_DEFAULT_SECONDS);
    } catch (NumberFormatException e) {
      return bad("after must be an integer >= -1 and timeout whole seconds 0.." + WATCH_MAX_SECONDS
          + ", were '" + afterText.orElse("") + "', '" + waitText.orElse("") + "'");
    }
    if (after < -1) return bad("after must be >= -1 (-1: the latest configuration at once), was " + after);
    if (seconds < 0 || seconds > WATCH_MAX_SECONDS)
      return bad("timeout must be whole seconds 0.." + WATCH_MAX_SECONDS + ", was " + seconds);
    return inner.apply(new WatchParams(after, Duration.ofSeconds(seconds)));
  }

  /** Every configuration above {@code after} as server-sent events ({@link ConfigEvents}); {@code timeout} is only checked. */
  private Route events(Optional<String> afterText, Optional<String> waitText) {
    return watchParams(afterText, waitText, p ->
        completeOK(ConfigEvents.after(admin, p.after()), EventStreamMarshalling.toEventStream()));
  }

  private Route watch(Optional<String> afterText, Optional<String> waitText) {
    return watchParams(afterText, waitText, p -> watch(p.after(), p.timeout()));
  }

  private Route watch(long after, Duration wait) {
    // Longer than the admin's own bound on a watch (its wait plus the controller client's retries).
    var limit = scala.concurrent.duration.FiniteDuration.create(wait.plusSeconds(40).toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
    return withRequestTimeout(limit, () -> onSuccess(ApiJson.safely(() -> admin.watch(after, wait))
        .handle((r, t) -> t == null ? ShardAdminJson.watched(r, admin.keyRanges()) : internal(t)), this::answer));
  }

  private Route join(String body) {
    ShardAdminJson.NewGroup g;
    try {
      g = ApiJson.MAPPER.readValue(body, ShardAdminJson.NewGroup.class);
    } catch (Exception e) {
      return bad("body must be {\"gid\": <positive integer>, \"nodes\": [\"<node>\", ...]}");
    }
    if (g == null || g.gid() == null || g.nodes() == null || g.nodes().isEmpty())
      return bad("body must be {\"gid\": <positive integer>, \"nodes\": [\"<node>\", ...]}");
    List<String> nodes = g.nodes();
    return run(() -> admin.joinGroup(g.gid(), nodes));
  }

  private Route number(String text, String what, java.util.function.Function<Integer, Route> inner) {
    Optional<Integer> n;
    try {
      n = Optional.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
      n = Optional.empty();
    }
    return n.map(inner).orElseGet(() -> bad(what + " must be an integer, was '" + text + "'"));
  }

  private Route bad(String message) {
    return answer(ApiJson.Answer.error(ErrorCode.BAD_REQUEST, message));
  }

  private Route run(Supplier<CompletionStage<CtrlReply>> call) {
    return onSuccess(ApiJson.safely(call).handle((r, t) -> t == null ? ShardAdminJson.reply(r) : internal(t)), this::answer);
  }

  private Route answer(ApiJson.Answer a) {
    List<HttpHeader> headers = a.retryAfter() ? List.of(RetryAfter.create(ApiJson.RETRY_AFTER_SECONDS)) : List.of();
    return complete(a.status(), headers, a.body(), ApiJson.MARSHALLER);
  }

  private static ApiJson.Answer internal(Throwable t) {
    log.error("sharded admin request failed", t);
    return ApiJson.Answer.error(ErrorCode.INTERNAL, "internal error");
  }
}
