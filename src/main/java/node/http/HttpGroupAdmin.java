package node.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import node.GroupAdmin;
import node.GroupMembers;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.TransferResult;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;

/**
 * A {@link GroupAdmin} that speaks the {@link AdminRoutes} HTTP API of any node (java.net.http, no
 * Akka), for {@code bin/raftkv admin --http URL}. An error body's {@code reason} (the core's exact
 * refusal) and {@code code} map back to the typed {@link AdminReply}; an I/O error is Unavailable.
 */
public final class HttpGroupAdmin implements GroupAdmin {
  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  public HttpGroupAdmin(URI base, Duration timeout) {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  @Override
  public CompletionStage<GroupMembers> members() {
    return http.sendAsync(builder("admin/members").GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(resp -> {
          if (resp.statusCode() != 200) throw new IllegalStateException("members: HTTP " + resp.statusCode() + " " + resp.body());
          try {
            return AdminJson.groupMembers(ApiJson.MAPPER.readValue(resp.body(), AdminJson.Members.class));
          } catch (IOException e) {
            throw new UncheckedIOException("unreadable members response", e);
          }
        });
  }

  @Override
  public CompletionStage<AdminReply> change(MembershipChange change) {
    String peer = "admin/members/" + HttpKvClient.encode(change.peer().id());
    HttpRequest request;
    if (change instanceof MembershipChange.AddLearner) request = builder(peer + "/learner").POST(empty()).build();
    else if (change instanceof MembershipChange.PromoteLearner) request = builder(peer + "/promote").POST(empty()).build();
    else if (change instanceof MembershipChange.Remove) request = builder(peer).DELETE().build();
    else throw new IllegalArgumentException("the HTTP API has no route for " + change + " (add a learner, then promote it)");
    return send(request, false);
  }

  @Override
  public CompletionStage<AdminReply> transferLeadership(Optional<PeerId> target) {
    String q = target.map(t -> "?to=" + HttpKvClient.encode(t.id())).orElse("");
    return send(builder("admin/transfer-leader" + q).POST(empty()).build(), true);
  }

  private CompletionStage<AdminReply> send(HttpRequest request, boolean transfer) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .handle((resp, err) -> err != null ? new AdminReply.Unavailable("no answer from " + base + ": " + err)
            : reply(resp.statusCode(), resp.body(), transfer));
  }

  /**
   * The typed reply for a response: the body's record on 200, else what its {@code reason} and
   * {@code code} say ({@code transfer}: the request was a transfer, whose reasons are {@link TransferResult.Reason}s).
   */
  static AdminReply reply(int status, String body, boolean transfer) {
    try {
      JsonNode json = ApiJson.MAPPER.readTree(body == null || body.isEmpty() ? "{}" : body);
      if (status == 200 && json.has("target")) return new AdminReply.TransferStarted(PeerId.of(json.path("target").asText()));
      if (status == 200) {
        AdminJson.Changed c = ApiJson.MAPPER.treeToValue(json, AdminJson.Changed.class);
        return new AdminReply.Changed(new Membership(AdminJson.peers(c.voters()), AdminJson.peers(c.learners()),
            AdminJson.peers(c.outgoing())), c.index());
      }
      String error = json.path("error").asText("HTTP " + status);
      String code = json.path("code").asText("");
      String reason = json.path("reason").asText("");
      Optional<PeerId> peer = text(json, "peer").map(PeerId::of);
      Optional<PeerId> leader = text(json, "leader").map(PeerId::of);
      for (TransferResult.Reason r : TransferResult.Reason.values()) {
        if (transfer && r.name().equals(reason)) return new AdminReply.TransferRefused(r, peer);
      }
      for (MembershipRefusal r : MembershipRefusal.values()) {
        if (!transfer && r.name().equals(reason)) return new AdminReply.MembershipRefused(r, peer);
      }
      return switch (code) {
        case "WRONG_LEADER", "NO_LEADER" -> new AdminReply.NotLeader(leader);
        case "TRANSFER_IN_PROGRESS" -> leader.<AdminReply>map(AdminReply.TransferInProgress::new)
            .orElse(new AdminReply.Unavailable(error));
        default -> new AdminReply.Unavailable("HTTP " + status + " " + code + ": " + error);
      };
    } catch (IOException | IllegalArgumentException e) {
      return new AdminReply.Unavailable("unreadable HTTP " + status + " response: " + e.getMessage());
    }
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode n = json.get(field);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
  }

  private HttpRequest.Builder builder(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
  }

  private static HttpRequest.BodyPublisher empty() {
    return HttpRequest.BodyPublishers.noBody();
  }

  @Override
  public void close() {
    // java.net.http.HttpClient (Java 17) has no close; its threads are daemons.
  }
}
