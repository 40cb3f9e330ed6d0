package node.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import kvraft.KvClient;
import raft.core.RaftStatus;

/**
 * The operator's routes of a node: {@code GET /livez} (the process and its actor system are up),
 * {@code GET /readyz} ({@link Readiness}), {@code GET /metrics} (Prometheus text format),
 * {@code GET /dashboard} (a live page over /status and /metrics), and
 * {@link #timed}, which measures every request for {@link NodeMetrics}.
 */
public final class OpsRoutes extends AllDirectives {
  /** The answer of /livez and /readyz. */
  public record Probe(boolean ok, List<String> reasons) {}

  static final String DASHBOARD = "dashboard/index.html";

  private final ActorSystem<?> system;
  private final KvClient client;
  private final NodeOps ops;
  private final NodeMetrics metrics;

  public OpsRoutes(ActorSystem<?> system, KvClient client, NodeOps ops, NodeMetrics metrics) {
    this.system = system;
    this.client = client;
    this.ops = ops;
    this.metrics = metrics;
  }

  public Route route() {
    return concat(
        path("livez", () -> get(() -> {
          boolean up = !system.getWhenTerminated().toCompletableFuture().isDone();
          return probe(new Probe(up, up ? List.of() : List.of("actor system " + system.name() + " is terminating")));
        })),
        path("readyz", () -> get(() -> onSuccess(localStatus().thenApply(s -> Readiness.of(s, ops.local(), ops.maxApplyLag()))
            .exceptionally(t -> new Readiness(false, List.of("status unavailable: " + t))),
            r -> probe(new Probe(r.ready(), r.reasons()))))),
        path("metrics", () -> get(() -> onSuccess(refresh().handle((v, t) -> metrics.scrape()),
            bytes -> complete(HttpResponse.create().withEntity(HttpEntities.create(
                ContentTypes.parse(metrics.contentType()), bytes)))))),
        // A static page that polls /status and /metrics itself (src/main/resources/dashboard).
        path("dashboard", () -> get(() -> getFromResource(DASHBOARD, ContentTypes.TEXT_HTML_UTF8))));
  }

  /** Polls the local replicas' status into the metrics (also run on a timer by HttpApi); by group where the client knows them. */
  public CompletionStage<Void> refresh() {
    if (client instanceof GroupedStatus grouped) {
      try {
        return grouped.statusByGroup().thenAccept(metrics::observe);
      } catch (RuntimeException e) {
        return java.util.concurrent.CompletableFuture.failedFuture(e);
      }
    }
    return localStatus().thenAccept(metrics::observe);
  }

  private CompletionStage<List<RaftStatus>> localStatus() {
    try {
      return client.status().thenApply(all -> all.stream()
          .filter(s -> ops.local().isEmpty() || ops.local().contains(s.id())).toList());
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  private Route probe(Probe p) {
    return complete(p.ok() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, p, ApiJson.MARSHALLER);
  }

  /** Runs {@code inner} and records its latency by operation and outcome. */
  public Route timed(Supplier<Route> inner) {
    return extractRequest(req -> {
      long t0 = System.nanoTime();
      String op = op(req);
      boolean kv = req.getUri().path().startsWith("/kv");
      if (kv) metrics.started();
      return mapResponse(resp -> {
        metrics.request(op, outcome(resp.status().intValue()), (System.nanoTime() - t0) / 1e9, kv);
        return resp;
      }, inner);
    });
  }

  /** The operation label: a fixed set, never the key. */
  static String op(HttpRequest req) {
    String path = req.getUri().path();
    var m = req.method();
    if (path.equals("/kv") || path.equals("/kv/")) return "scan";
    if (path.startsWith("/kv/")) {
      if (path.endsWith("/append") && m.equals(HttpMethods.POST)) return "append";
      if (m.equals(HttpMethods.GET)) return "get";
      if (m.equals(HttpMethods.DELETE)) return "delete";
      if (m.equals(HttpMethods.PUT)) {
        var q = req.getUri().query();
        return q.get("expected").isPresent() || q.get("absent").isPresent() ? "cas" : "put";
      }
      return "other";
    }
    if (path.startsWith("/admin/")) return "admin";
    return switch (path) {
      case "/status", "/livez", "/readyz", "/metrics", "/dashboard" -> path.substring(1);
      default -> "other";
    };
  }

  static String outcome(int status) {
    if (status < 400) return "ok";
    if (status == 404) return "not_found";
    if (status == 503 || status == 504) return "unavailable";
    if (status < 500) return "client_error";
    return "error";
  }
}
