package shardkv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import raft.rsm.ReadConsistency;
import shardctrl.CtrlReply;
import shardctrl.ShardCtrlClient;

/**
 * {@link ShardKvClient} over Akka: one round at a group asks its servers in turn, from the one that
 * answered last ({@link GroupCall}: a follower's WrongLeader or no answer within {@code attemptTimeout} moves on), the
 * configuration comes from the controller's client, retries wait on the actor system's scheduler.
 */
public final class AkkaShardKvClient {
  private AkkaShardKvClient() {}

  /**
   * @param controller the controller's client (not closed by this one)
   * @param resolver server names in configurations to refs ({@link ShardKvServer#resolver})
   */
  public static ShardKvClient create(ActorSystem<?> system, ShardMapping mapping, ShardCtrlClient controller,
      Function<String, ActorRef<ShardKvServer.Command>> resolver, Duration attemptTimeout,
      ShardKvClient.Settings settings) {
    return build(system, mapping, controller, resolver, attemptTimeout, settings, null);
  }

  /** The same, with client ids from {@code ids} (a test's seeded source, so a run replays from its seed). */
  public static ShardKvClient create(ActorSystem<?> system, ShardMapping mapping, ShardCtrlClient controller,
      Function<String, ActorRef<ShardKvServer.Command>> resolver, Duration attemptTimeout,
      ShardKvClient.Settings settings, LongSupplier ids) {
    return build(system, mapping, controller, resolver, attemptTimeout, settings, java.util.Objects.requireNonNull(ids, "ids"));
  }

  /** {@code ids} null: the client's own SecureRandom ids. */
  private static ShardKvClient build(ActorSystem<?> system, ShardMapping mapping, ShardCtrlClient controller,
      Function<String, ActorRef<ShardKvServer.Command>> resolver, Duration attemptTimeout,
      ShardKvClient.Settings settings, LongSupplier ids) {
    GroupCall calls = new GroupCall();
    ShardKvClient.Groups groups = new ShardKvClient.Groups() {
      @Override
      public CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op) {
        return execute(gid, servers, op, ReadConsistency.LINEARIZABLE);
      }

      /**
       * A serializable read's WrongGroup may come from a replica that has not applied the
       * configuration giving the group the shard yet: ask the next replica instead of taking it
       * for the group's answer (every replica saying so ends the round, as no answer does).
       */
      @Override
      public CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op,
          ReadConsistency consistency) {
        return execute(0, gid, servers, op, consistency);
      }

      @Override
      public CompletionStage<ShardKvReply> execute(long configNum, int gid, List<String> servers,
          ShardKvCommand.ClientOp op, ReadConsistency consistency) {
        List<ActorRef<ShardKvServer.Command>> refs = servers.stream().map(resolver).toList();
        Predicate<ShardKvReply> counts = consistency == ReadConsistency.SERIALIZABLE
            ? r -> !(r instanceof ShardKvReply.WrongGroup) && ShardKvDuties.counts(r) : ShardKvDuties::counts;
        return calls.<ShardKvServer.Command, ShardKvReply>firstAnswer(system, refs,
            to -> new ShardKvServer.Execute(op, consistency, configNum, to), attemptTimeout, counts);
      }
    };
    ShardKvClient.Configs configs = () -> controller.query(-1)
        .thenApply(r -> r instanceof CtrlReply.Config c ? c.config() : null);
    ShardKvClient.Timer timer = (delay, task) -> system.scheduler().scheduleOnce(delay, task, system.executionContext());
    return ids == null ? new ShardKvClient(mapping, groups, configs, timer, System::currentTimeMillis, settings)
        : new ShardKvClient(mapping, groups, configs, timer, System::currentTimeMillis, settings, ids);
  }
}
