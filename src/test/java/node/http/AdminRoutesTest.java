package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import kvraft.InMemoryKvClient;
import kvraft.KvLimits;
import node.GroupAdmin;
import node.GroupMembers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.RaftRole;
import raft.core.TransferResult;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;

/**
 * The /admin routes over a scripted {@link GroupAdmin}: each typed reply becomes its status, code
 * and reason, the route sends the change its path names, and {@link HttpGroupAdmin} reads every
 * answer back into the same typed reply.
 */
class AdminRoutesTest {
  static ActorTestKit testKit;
  static final Scripted admin = new Scripted();
  static URI base;
  static final HttpClient http = HttpClient.newHttpClient();
  static final PeerId P4 = PeerId.of("p4");
  static final MembershipStatus LEADER = new MembershipStatus(PeerId.of("p1"), RaftRole.LEADER, 3,
      Optional.of(PeerId.of("p1")), new Membership(List.of(PeerId.of("p1"), PeerId.of("p2")), List.of(P4), List.of()), 7, 9, 9);

  /** Answers the next call with {@link #next} (none set: a success), and remembers what it was asked. */
  static final class Scripted implements GroupAdmin {
    final AtomicReference<AdminReply> next = new AtomicReference<>();
    final AtomicReference<Object> asked = new AtomicReference<>();

    @Override
    public CompletionStage<GroupMembers> members() {
      return CompletableFuture.completedFuture(new GroupMembers(List.of(LEADER)));
    }

    @Override
    public CompletionStage<AdminReply> change(MembershipChange change) {
      asked.set(change);
      AdminReply r = next.get();
      return CompletableFuture.completedFuture(r != null ? r : new AdminReply.Changed(LEADER.membership(), 8));
    }

    @Override
    public CompletionStage<AdminReply> transferLeadership(Optional<PeerId> target) {
      asked.set(target);
      AdminReply r = next.get();
      return CompletableFuture.completedFuture(r != null ? r : new AdminReply.TransferStarted(target.orElse(P4)));
    }

    @Override
    public void close() {}
  }

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    ServerBinding binding = HttpApi.start(testKit.system(), new InMemoryKvClient(KvLimits.defaults()), KvLimits.defaults(),
        "127.0.0.1", 0, NodeOps.defaults(), admin).toCompletableFuture().get();
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Scripts {@code reply}, sends the request, checks status and code, and that HttpGroupAdmin reads it back. */
  static void check(AdminReply reply, String method, String path, Object asked, int status, String code) throws Exception {
    admin.next.set(reply);
    HttpResponse<String> r = send(method, path);
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(asked, admin.asked.get());
    if (code != null) assertEquals(code, ApiJson.MAPPER.readTree(r.body()).path("code").asText(), r.body());
    assertEquals(reply, HttpGroupAdmin.reply(r.statusCode(), r.body(), path.contains("transfer")), r.body());
  }

  @Test
  void everyReplyHasItsStatusCodeAndReason() throws Exception {
    Membership after = Membership.ofVoters(List.of(PeerId.of("p1"), PeerId.of("p2"), P4));
    check(new AdminReply.Changed(after, 12), "POST", "admin/members/p4/promote", new MembershipChange.PromoteLearner(P4), 200, null);
    check(new AdminReply.Changed(after, 13), "POST", "admin/members/p4/learner", new MembershipChange.AddLearner(P4), 200, null);
    check(new AdminReply.MembershipRefused(MembershipRefusal.ALREADY_MEMBER, Optional.of(P4)), "POST",
        "admin/members/p4/learner", new MembershipChange.AddLearner(P4), 409, "MEMBER_EXISTS");
    check(new AdminReply.MembershipRefused(MembershipRefusal.LEARNER_BEHIND, Optional.of(P4)), "POST",
        "admin/members/p4/promote", new MembershipChange.PromoteLearner(P4), 409, "LEARNER_BEHIND");
    check(new AdminReply.MembershipRefused(MembershipRefusal.NOT_A_LEARNER, Optional.of(P4)), "POST",
        "admin/members/p4/promote", new MembershipChange.PromoteLearner(P4), 409, "NOT_A_LEARNER");
    check(new AdminReply.MembershipRefused(MembershipRefusal.JOINT_IN_PROGRESS, Optional.empty()), "DELETE",
        "admin/members/p4", new MembershipChange.Remove(P4), 409, "CHANGE_PENDING");
    check(new AdminReply.MembershipRefused(MembershipRefusal.LAST_VOTER, Optional.empty()), "DELETE",
        "admin/members/p4", new MembershipChange.Remove(P4), 409, "LAST_VOTER");
    check(new AdminReply.MembershipRefused(MembershipRefusal.NOT_A_MEMBER, Optional.of(P4)), "DELETE",
        "admin/members/p4", new MembershipChange.Remove(P4), 404, "NOT_A_MEMBER");
    check(new AdminReply.NotLeader(Optional.of(PeerId.of("p2"))), "DELETE", "admin/members/p4",
        new MembershipChange.Remove(P4), 503, "WRONG_LEADER");
    check(new AdminReply.NotLeader(Optional.empty()), "DELETE", "admin/members/p4", new MembershipChange.Remove(P4), 503,
        "NO_LEADER");
    check(new AdminReply.TransferStarted(P4), "POST", "admin/transfer-leader?to=p4", Optional.of(P4), 200, null);
    check(new AdminReply.TransferStarted(P4), "POST", "admin/transfer-leader", Optional.empty(), 200, null);
    check(new AdminReply.TransferRefused(TransferResult.Reason.NOT_A_MEMBER, Optional.of(PeerId.of("p9"))), "POST",
        "admin/transfer-leader?to=p9", Optional.of(PeerId.of("p9")), 404, "NOT_A_MEMBER");
    check(new AdminReply.TransferRefused(TransferResult.Reason.LEARNER, Optional.of(P4)), "POST",
        "admin/transfer-leader?to=p4", Optional.of(P4), 409, "NOT_A_VOTER");
    check(new AdminReply.TransferInProgress(P4), "POST", "admin/transfer-leader?to=p4", Optional.of(P4), 503,
        "TRANSFER_IN_PROGRESS");
  }

  @Test
  void membersAndBadRequests() throws Exception {
    HttpResponse<String> r = send("GET", "admin/members");
    assertEquals(200, r.statusCode(), r.body());
    GroupMembers read = AdminJson.groupMembers(ApiJson.MAPPER.readValue(r.body(), AdminJson.Members.class));
    assertEquals(new GroupMembers(List.of(LEADER)), read);
    assertEquals("p1", ApiJson.MAPPER.readTree(r.body()).path("leader").asText());
    r = send("POST", "admin/transfer-leader?to=");
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("BAD_REQUEST", ApiJson.MAPPER.readTree(r.body()).path("code").asText());
    r = send("GET", "admin/members/p4/learner");
    assertEquals(405, r.statusCode(), r.body());
    assertEquals("METHOD_NOT_ALLOWED", ApiJson.MAPPER.readTree(r.body()).path("code").asText(), r.body());
  }
}
