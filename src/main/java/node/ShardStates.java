package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import raft.core.RaftStatus;
import shardctrl.ShardConfig;
import shardkv.ShardKvServer;

/**
 * Asks the groups of a configuration how their shards stand: each owning group once, its
 * replicas' Raft status for the leader (the one that says it leads at the highest term, else the
 * latest hint), then the shard states of the first replica that answers, the leader first (its
 * view is the most recent). A group that does not answer leaves its shards' status unknown.
 */
final class ShardStates {
  private ShardStates() {}

  private record GroupView(Optional<ReplicaKey> leader, Optional<ShardKvServer.Shards> shards) {}

  private static final GroupView UNKNOWN = new GroupView(Optional.empty(), Optional.empty());

  static CompletionStage<List<ShardState>> of(ActorSystem<?> system, ShardConfig config, List<Integer> shards,
      Duration ask) {
    Map<Integer, CompletableFuture<GroupView>> views = new LinkedHashMap<>();
    for (int s : shards) {
      int gid = config.gidOf(s);
      if (gid != ShardConfig.NO_GROUP) views.computeIfAbsent(gid, g -> view(system, config.groups().get(g), ask));
    }
    return CompletableFuture.allOf(views.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ShardState> out = new ArrayList<>();
      for (int s : shards) {
        int gid = config.gidOf(s);
        GroupView g = gid == ShardConfig.NO_GROUP ? UNKNOWN : views.get(gid).join();
        out.add(new ShardState(s, gid, g.shards().map(x -> x.statuses().get(s)),
            g.shards().map(ShardKvServer.Shards::configNum).orElse(-1L), g.leader().map(ReplicaKey::entityId)));
      }
      return out;
    });
  }

  private static CompletableFuture<GroupView> view(ActorSystem<?> system, List<String> servers, Duration ask) {
    List<ReplicaKey> keys = new ArrayList<>();
    for (String name : servers) {
      try {
        keys.add(ReplicaKey.parse(name));
      } catch (IllegalArgumentException e) {
        // not a hosted replica (a test's server name): nothing to ask
      }
    }
    List<CompletableFuture<RaftStatus>> statuses = new ArrayList<>();
    for (ReplicaKey k : keys) {
      ActorRef<ShardKvServer.Command> ref = ServiceRefs.of(system, k);
      statuses.add(AskPattern.<ShardKvServer.Command, RaftStatus>ask(ref, ShardKvServer.GetStatus::new, ask,
          system.scheduler()).toCompletableFuture().exceptionally(e -> null));
    }
    return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      List<RaftStatus> answered = statuses.stream().map(CompletableFuture::join).filter(s -> s != null).toList();
      Optional<ReplicaKey> leader = leader(answered).flatMap(p -> keys.stream().filter(k -> k.replica().equals(p)).findFirst());
      List<ReplicaKey> order = new ArrayList<>(keys);
      leader.ifPresent(l -> {
        order.remove(l);
        order.add(0, l);
      });
      return firstShards(system, order, 0, ask)
          .handle((s, e) -> new GroupView(leader, Optional.ofNullable(s)));
    });
  }

  /** The replica that says it leads at the highest term; else the hint of the replica at the highest term. */
  private static Optional<raft.PeerId> leader(List<RaftStatus> answered) {
    Optional<RaftStatus> leading = answered.stream().filter(RaftStatus::isLeader).max(Comparator.comparingLong(RaftStatus::term));
    if (leading.isPresent()) return Optional.of(leading.get().id());
    return answered.stream().filter(s -> s.leader().isPresent()).max(Comparator.comparingLong(RaftStatus::term))
        .flatMap(RaftStatus::leader);
  }

  /** The applied shard states of the first replica of {@code keys} (from {@code i}) that answers. */
  static CompletionStage<ShardKvServer.Shards> firstShards(ActorSystem<?> system, List<ReplicaKey> keys, int i,
      Duration ask) {
    if (i >= keys.size()) return CompletableFuture.failedFuture(new IllegalStateException("no replica answered"));
    ActorRef<ShardKvServer.Command> ref = ServiceRefs.of(system, keys.get(i));
    return AskPattern.<ShardKvServer.Command, ShardKvServer.Shards>ask(ref, ShardKvServer.GetShards::new, ask,
            system.scheduler())
        .handle((s, e) -> s != null ? CompletableFuture.completedFuture(s) : firstShards(system, keys, i + 1, ask))
        .thenCompose(x -> x);
  }
}
