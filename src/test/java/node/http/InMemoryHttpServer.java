package node.http;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import kvraft.InMemoryKvClient;

/**
 * A manual tool, not a test: the HTTP API over the in-memory client, so {@code bench kv --http}
 * can measure the HTTP layer alone. Run from the test classpath; args: [port] (default 8080).
 */
public final class InMemoryHttpServer {
  private InMemoryHttpServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kv-http",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    HttpApi.start(system, new InMemoryKvClient(), "127.0.0.1", port).toCompletableFuture().get();
    System.out.println("listening on http://127.0.0.1:" + port);
  }
}
