package node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import raft.rsm.ReadConsistency;
import shardctrl.ShardConfig;
import shardkv.KeyRanges;
import shardkv.ShardKvClient;
import shardkv.ShardKvCommand;
import shardkv.ShardKvReply;

/**
 * What a sharded node's HTTP API calls ({@code ?consistency=} on {@code /kv} becomes {@code
 * execute(command, level)}) reaches the shard's group with its level: Gets and every shard's part
 * of a Scan at the level asked for, writes without one.
 */
class ShardedKvClientTest {

  /** One call a group got: the command and the level it came with (null: the call carried none). */
  private record Call(KvCommand op, ReadConsistency consistency) {}

  private final List<Call> calls = new ArrayList<>();
  private final ShardKvClient.Groups groups = new ShardKvClient.Groups() {
    @Override
    public CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op) {
      return answer(op, null);
    }

    @Override
    public CompletionStage<ShardKvReply> execute(int gid, List<String> servers, ShardKvCommand.ClientOp op,
        ReadConsistency consistency) {
      return answer(op, consistency);
    }

    private CompletionStage<ShardKvReply> answer(ShardKvCommand.ClientOp op, ReadConsistency consistency) {
      synchronized (calls) {
        calls.add(new Call(op.op(), consistency));
      }
      KvReply r = op.op() instanceof KvCommand.Scan ? new KvReply.Scanned(List.of(), false)
          : op.op().isRead() ? new KvReply.Value("v") : KvReply.DONE;
      return CompletableFuture.completedFuture(new ShardKvReply.Kv(r));
    }
  };

  private final ShardedKvClient client;

  ShardedKvClientTest() {
    KeyRanges mapping = new KeyRanges(List.of("m"));
    ShardConfig config = new ShardConfig(1, List.of(100, 100), new java.util.TreeMap<>(Map.of(100, List.of("s1"))));
    ShardKvClient shards = new ShardKvClient(mapping, groups, () -> CompletableFuture.completedFuture(config),
        (delay, task) -> task.run(), System::currentTimeMillis,
        new ShardKvClient.Settings(Duration.ofMillis(1), Duration.ofSeconds(5)));
    this.client = new ShardedKvClient(null, shards, null, null);
  }

  private KvReply run(KvCommand c, ReadConsistency level) throws Exception {
    return client.execute(c, level).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aGetCarriesItsLevelToTheGroup() throws Exception {
    for (ReadConsistency level : List.of(ReadConsistency.SERIALIZABLE, ReadConsistency.LEASE)) {
      calls.clear();
      assertEquals(new KvReply.Value("v"), run(new KvCommand.Get("a"), level));
      assertEquals(List.of(new Call(new KvCommand.Get("a"), level)), calls);
    }
  }

  @Test
  void everyShardOfAScanIsReadAtItsLevel() throws Exception {
    run(new KvCommand.Scan("a", null, 10), ReadConsistency.SERIALIZABLE);
    assertEquals(2, calls.size(), () -> "one call per shard: " + calls);
    for (Call c : calls) assertEquals(ReadConsistency.SERIALIZABLE, c.consistency());
  }

  @Test
  void linearizableReadsAndWritesGoTheDefaultWay() throws Exception {
    run(new KvCommand.Get("a"), ReadConsistency.LINEARIZABLE);
    run(new KvCommand.Put("a", "x"), ReadConsistency.SERIALIZABLE);
    client.execute(new KvCommand.Get("z")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(List.of(new Call(new KvCommand.Get("a"), null), new Call(new KvCommand.Put("a", "x"), null),
        new Call(new KvCommand.Get("z"), null)), calls);
  }
}
