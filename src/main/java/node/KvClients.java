package node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.core.RaftStatus;

/**
 * The one seam through which the CLI, {@code bench kv} and the HTTP API get a {@link KvClient}
 * for the KV group described by {@code raftkv.*} settings.
 */
public final class KvClients {
  private KvClients() {}

  /** A client on {@code system} for the group in {@code cfg}. To be implemented with AkkaKvClient. */
  public static KvClient connect(ActorSystem<?> system, Config cfg) {
    throw new UnsupportedOperationException("no KV client is wired yet (node.KvClients.connect: AkkaKvClient)");
  }

  /** A client with an ActorSystem of its own (for one CLI run); closing it terminates the system. */
  public static KvClient open(Config cfg) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "raftkv-client", cfg);
    try {
      return new Owning(connect(system, cfg), system);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  private record Owning(KvClient client, ActorSystem<Void> system) implements KvClient {
    @Override
    public CompletionStage<KvReply> execute(KvCommand command) {
      return client.execute(command);
    }

    @Override
    public CompletionStage<List<RaftStatus>> status() {
      return client.status();
    }

    @Override
    public void close() {
      try {
        client.close();
      } finally {
        system.terminate();
        try {
          system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Exiting anyway: the JVM ends with the CLI command.
        }
      }
    }
  }
}
