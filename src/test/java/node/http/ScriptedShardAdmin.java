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

  @Override
  public Optional<KeyRanges> keyRanges() {
    return Optional.of(RANGES);
  }
}
