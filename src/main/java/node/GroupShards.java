package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import raft.core.RaftStatus;
import shardkv.ShardKvServer;

/**
 * Asks every replica of one shard group, all at once, whether it leads and how it holds each shard
 * ({@link ReplicaShards}): unlike {@link ShardStates}, which reads the owner's view of each shard,
 * this shows what the replicas of a group that gave shards away still keep. Never fails: a replica
 * that does not answer within {@code ask} is listed without shards.
 */
final class GroupShards {
  private GroupShards() {}

  static CompletionStage<List<ReplicaShards>> of(ActorSystem<?> system, List<String> servers, Duration ask) {
    List<CompletableFuture<ReplicaShards>> each = new ArrayList<>();
    for (String server : servers) each.add(one(system, server, ask));
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  private static CompletableFuture<ReplicaShards> one(ActorSystem<?> system, String server, Duration ask) {
    ReplicaKey key;
    try {
      key = ReplicaKey.parse(server);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new ReplicaShards(server, false, Optional.empty())); // not a hosted replica
    }
    ActorRef<ShardKvServer.Command> ref = ServiceRefs.of(system, key);
    CompletableFuture<RaftStatus> status = AskPattern.<ShardKvServer.Command, RaftStatus>ask(ref,
        ShardKvServer.GetStatus::new, ask, system.scheduler()).toCompletableFuture().exceptionally(e -> null);
    CompletableFuture<ShardKvServer.Shards> shards = AskPattern.<ShardKvServer.Command, ShardKvServer.Shards>ask(ref,
        ShardKvServer.GetShards::new, ask, system.scheduler()).toCompletableFuture().exceptionally(e -> null);
    return status.thenCombine(shards, (st, sh) ->
        new ReplicaShards(server, st != null && st.isLeader(), Optional.ofNullable(sh)));
  }
}
