package node.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import node.ShardAdmin;
import node.ShardState;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.KeyRanges;
import shardkv.ShardStatus;

/**
 * A {@link ShardAdmin} that answers every call with {@link #next} (none set: success, {@link
 * #CONFIG} or each shard of it SERVING), so a test can make the routes answer any controller reply.
 */
final class ScriptedShardAdmin implements ShardAdmin {
  /** Configuration 2: ten shards, five on each of groups 100 and 101. */
  static final ShardConfig CONFIG = new ShardConfig(2, List.of(100, 100, 100, 100, 100, 101, 101, 101, 101, 101),
      new TreeMap<>(Map.of(100, List.of("g100|n1", "g100|n2"), 101, List.of("g101|n3"))));
  static final KeyRanges RANGES = KeyRanges.of("b", "c", "d", "e", "f", "g", "h", "i", "j");

  final AtomicReference<CtrlReply> next = new AtomicReference<>();

  private CompletionStage<CtrlReply> answer() {
    CtrlReply r = next.get();
    return CompletableFuture.completedFuture(r != null ? r : new CtrlReply.Config(CONFIG));
  }

  @Override
  public CompletionStage<CtrlReply> shards() {
    return answer();
  }

  @Override
  public CompletionStage<CtrlReply> joinGroup(int gid, List<String> nodes) {
    return answer();
  }

  @Override
  public CompletionStage<CtrlReply> leaveGroup(int gid) {
    return answer();
  }

  @Override
  public CompletionStage<CtrlReply> move(int shard, int gid) {
    return answer();
  }

  @Override
  public CompletionStage<CtrlReply> watch(long afterNum, Duration timeout) {
    return answer();
  }

  @Override
  public CompletionStage<List<ShardState>> shardStates(ShardConfig config, List<Integer> shards) {
    return CompletableFuture.completedFuture(shards.stream().map(s -> new ShardState(s, config.gidOf(s),
        Optional.of(ShardStatus.SERVING), config.num(), Optional.of(config.groups().get(config.gidOf(s)).get(0)))).toList());
  }

  /** Every server of the group answers, the first as leader: its shards SERVING with one key, the others ABSENT. */
  @Override
  public CompletionStage<List<node.ReplicaShards>> groupShards(ShardConfig config, int gid) {
    List<ShardStatus> statuses = config.shards().stream().map(g -> g == gid ? ShardStatus.SERVING : ShardStatus.ABSENT).toList();
    List<Integer> keys = config.shards().stream().map(g -> g == gid ? 1 : 0).toList();
    List<String> servers = config.groups().get(gid);
    return CompletableFuture.completedFuture(servers.stream().map(s -> new node.ReplicaShards(s, s.equals(servers.get(0)),
        Optional.of(new shardkv.ShardKvServer.Shards(config.num(), statuses, keys)))).toList());
  }

  @Override
  public Optional<KeyRanges> keyRanges() {
    return Optional.of(RANGES);
  }

  @Override
  public CompletionStage<CtrlReply> moveReplica(int gid, String from, String to) {
    return answer();
  }

  /** A finished drain of {@code node}, or one stopped by {@link #next} when it is set. */
  @Override
  public CompletionStage<node.NodeDrain> drainNode(String node) {
    return CompletableFuture.completedFuture(new node.NodeDrain(node, List.of(), List.of(), List.of(), next.get()));
  }

  /** Both nodes of {@link #CONFIG} up, no move running; null (no controller answer) when {@link #next} is set. */
  @Override
  public CompletionStage<node.NodeReplicas> nodes() {
    if (next.get() != null) return CompletableFuture.completedFuture(null);
    return CompletableFuture.completedFuture(new node.NodeReplicas(CONFIG.num(), new TreeMap<>(Map.of(
        "n1", new node.NodeReplicas.Node(true, List.of("g100|n1")), "n2", new node.NodeReplicas.Node(true, List.of("g100|n2")),
        "n3", new node.NodeReplicas.Node(true, List.of("g101|n3")))), new TreeMap<>()));
  }
}
