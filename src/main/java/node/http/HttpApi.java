package node.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.settings.ServerSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvLimits;

/** Binds the KV HTTP API ({@link KvRoutes}) on one address of a node's ActorSystem. */
public final class HttpApi {
  private HttpApi() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, String host, int port) {
    return start(system, client, KvLimits.defaults(), host, port);
  }

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, KvClient client, KvLimits limits,
      String host, int port) {
    return Http.get(system).newServerAt(host, port)
        .withSettings(serverSettings(system.settings().config(), limits))
        .bind(new KvRoutes(client, limits).route());
  }

  /** The server's body limit matches what KvLimits lets through, so a larger body fails early (413). */
  static ServerSettings serverSettings(Config base, KvLimits limits) {
    Config c = ConfigFactory.parseString("akka.http.server.parsing.max-content-length = "
        + KvRoutes.maxBodyBytes(limits)).withFallback(base);
    return ServerSettings.create(c);
  }
}
