package node.http;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import node.GroupAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;

/**
 * The operator's membership API of a node, over any {@link GroupAdmin}:
 *
 * <pre>
 * GET    /admin/members                      200 {"leader","term","voters","learners","outgoing","membership_index","replicas":[...]}
 * POST   /admin/members/{peer}/learner       add {peer} as a learner      200 {"ok":true,"index","voters","learners","outgoing"}
 * POST   /admin/members/{peer}/promote       make the learner a voter     200 (same)
 * DELETE /admin/members/{peer}               remove a voter or learner    200 (same)
 * POST   /admin/transfer-leader[?to={peer}]  hand leadership over         200 {"ok":true,"target"}
 * </pre>
 *
 * A change is answered once applied on the leader. Refusals are JSON errors
 * ({@link AdminJson.Error}: {@code code}, {@code error}, the core's {@code reason}, {@code peer}).
 */
public final class AdminRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);

  private final GroupAdmin admin;

  public AdminRoutes(GroupAdmin admin) {
    this.admin = admin;
  }

  public Route route() {
    // Within /admin, akka-http's rejections (405, 404) become JSON error bodies, as for the KV routes.
    return pathPrefix("admin", () -> handleRejections(KvRoutes.rejections(), () -> concat(
        path("members", () -> get(() -> onSuccess(ApiJson.safely(admin::members).handle((m, t) -> t == null
            ? ApiJson.Answer.ok(AdminJson.members(m)) : internal(t)), this::answer))),
        path(PathMatchers.segment("members").slash(PathMatchers.segment()).slash("learner"), peer -> post(() ->
            change(peer, MembershipChange.AddLearner::new))),
        path(PathMatchers.segment("members").slash(PathMatchers.segment()).slash("promote"), peer -> post(() ->
            change(peer, MembershipChange.PromoteLearner::new))),
        path(PathMatchers.segment("members").slash(PathMatchers.segment()), peer -> delete(() ->
            change(peer, MembershipChange.Remove::new))),
        path("transfer-leader", () -> post(() -> parameterOptional("to", to -> {
          if (to.isPresent() && to.get().isBlank()) return badPeer();
          return run(() -> admin.transferLeadership(to.map(PeerId::of)));
        }))))));
  }

  private Route change(String peer, Function<PeerId, MembershipChange> change) {
    if (peer.isBlank()) return badPeer();
    return run(() -> admin.change(change.apply(PeerId.of(peer))));
  }

  private Route badPeer() {
    return answer(AdminJson.error(ErrorCode.BAD_REQUEST, "peer id must not be blank", null, null, null));
  }

  private Route run(Supplier<CompletionStage<AdminReply>> call) {
    return onSuccess(ApiJson.safely(call).handle((r, t) -> t == null ? AdminJson.reply(r) : internal(t)), this::answer);
  }

  private Route answer(ApiJson.Answer a) {
    List<HttpHeader> headers = a.retryAfter() ? List.of(RetryAfter.create(ApiJson.RETRY_AFTER_SECONDS)) : List.of();
    return complete(a.status(), headers, a.body(), ApiJson.MARSHALLER);
  }

  private static ApiJson.Answer internal(Throwable t) {
    log.error("admin request failed", t);
    return ApiJson.Answer.error(ErrorCode.INTERNAL, "internal error");
  }
}
