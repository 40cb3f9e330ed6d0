package node;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import node.http.GroupedStatus;
import raft.GroupId;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;
import shardctrl.ShardCtrlServer;
import shardkv.ShardKvClient;
import shardkv.ShardKvServer;

/**
 * The KV API of a sharded node (what {@code node.http.KvRoutes} serves) over a {@link ShardKvClient}:
 * each key goes to its shard's group, the configuration cached and refreshed on {@code WrongGroup}; a
 * read runs at the consistency asked for, outside the group's log. A scan walks the shards it
 * touches: linearizable per shard (at the default level), not across shards. {@link #status}
 * answers the Raft status of the replicas on this node (controller and groups).
 */
final class ShardedKvClient implements KvClient, GroupedStatus {
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final ShardKvClient client;
  private final NodePlacement placement;
  private final Address self;

  ShardedKvClient(ActorSystem<?> system, ShardKvClient client, NodePlacement placement, Address self) {
    this.system = system;
    this.client = client;
    this.placement = placement;
    this.self = self;
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand command) {
    return execute(command, ReadConsistency.LINEARIZABLE);
  }

  /** A read at {@code consistency} ({@code ?consistency=} on {@code /kv}), carried to the shard's group. */
  @Override
  public CompletionStage<KvReply> execute(KvCommand command, ReadConsistency consistency) {
    if (command instanceof KvCommand.Scan s) return client.scan(s.key(), s.to(), s.limit(), consistency);
    return client.execute(command, consistency);
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return statusByGroup().thenApply(byGroup -> byGroup.values().stream().flatMap(List::stream).toList());
  }

  /** The local replicas' statuses by group, in placement order; a replica that does not answer within a second is left out. */
  @Override
  public CompletionStage<Map<GroupId, List<RaftStatus>>> statusByGroup() {
    List<ReplicaKey> keys = List.copyOf(placement.replicasOn(self));
    List<CompletableFuture<RaftStatus>> asks = new ArrayList<>();
    for (ReplicaKey key : keys) {
      CompletionStage<RaftStatus> s;
      if (key.group().equals(ShardedSpec.CONTROLLER)) {
        ActorRef<ShardCtrlServer.Command> ref = ServiceRefs.of(system, key);
        s = AskPattern.ask(ref, ShardCtrlServer.GetStatus::new, STATUS_TIMEOUT, system.scheduler());
      } else {
        ActorRef<ShardKvServer.Command> ref = ServiceRefs.of(system, key);
        s = AskPattern.ask(ref, ShardKvServer.GetStatus::new, STATUS_TIMEOUT, system.scheduler());
      }
      asks.add(s.toCompletableFuture().exceptionally(e -> null));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      Map<GroupId, List<RaftStatus>> byGroup = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        RaftStatus s = asks.get(i).join();
        if (s != null) byGroup.computeIfAbsent(keys.get(i).group(), g -> new ArrayList<>()).add(s);
      }
      return byGroup;
    });
  }

  @Override
  public void close() {
    client.close();
  }
}
