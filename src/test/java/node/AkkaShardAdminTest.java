package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import raft.core.RaftStatus;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;

/**
 * The admin's refusals that need no replica: decided from the controller's history before anything
 * is created or written (the fake controller records every write it is sent).
 */
class AkkaShardAdminTest {
  /** Configurations 1: {100}, 2: {100, 101}, 3: {101} (100 left, perhaps still draining). */
  private static final class History implements ShardCtrlClient {
    final List<ShardConfig> configs = new ArrayList<>();
    final List<CtrlCommand> writes = new ArrayList<>();

    History() {
      configs.add(ShardConfig.initial(4));
      configs.add(config(1, List.of(100, 100, 100, 100), Map.of(100, List.of("g100|n1"))));
      configs.add(config(2, List.of(100, 100, 101, 101), Map.of(100, List.of("g100|n1"), 101, List.of("g101|n2"))));
      configs.add(config(3, List.of(101, 101, 101, 101), Map.of(101, List.of("g101|n2"))));
    }

    private static ShardConfig config(long num, List<Integer> shards, Map<Integer, List<String>> groups) {
      return new ShardConfig(num, shards, new TreeMap<>(groups));
    }

    @Override
    public CompletionStage<CtrlReply> execute(CtrlCommand command) {
      if (command instanceof CtrlCommand.Query q) {
        long n = q.num() < 0 || q.num() >= configs.size() ? configs.size() - 1 : q.num();
        return CompletableFuture.completedFuture(new CtrlReply.Config(configs.get((int) n)));
      }
      if (command instanceof CtrlCommand.Nodes) // read by the admin before it names nodes: none registered
        return CompletableFuture.completedFuture(new CtrlReply.Nodes(new TreeMap<>()));
      writes.add(command);
      return CompletableFuture.completedFuture(CtrlReply.TIMEOUT);
    }

    /** As the controller's watch: the latest configuration if it is newer, else Unchanged at once. */
    @Override
    public CompletionStage<CtrlReply> watch(long afterNum, Duration timeout) {
      ShardConfig latest = configs.get(configs.size() - 1);
      return CompletableFuture.completedFuture(latest.num() > afterNum ? new CtrlReply.Config(latest)
          : new CtrlReply.Unchanged(latest.num()));
    }

    @Override
    public CompletionStage<List<RaftStatus>> status() {
      return CompletableFuture.completedFuture(Collections.emptyList());
    }

    @Override
    public void close() {}
  }

  private static CtrlReply await(CompletionStage<CtrlReply> s) {
    return s.toCompletableFuture().join();
  }

  private static AkkaShardAdmin admin(History controller) {
    ShardedSpec spec = NodeSettings.shardedSpec(NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER));
    return new AkkaShardAdmin(null, controller, NodePlacement.of(spec, "raftkv"), Duration.ofSeconds(5),
        new shardkv.LabFirstByte(4));
  }

  @Test
  void refusalsComeBeforeAnyReplicaIsCreatedOrAnythingIsWritten() {
    History controller = new History();
    AkkaShardAdmin admin = admin(controller);

    assertEquals(new CtrlReply.GidInUse(101), await(admin.joinGroup(101, List.of("n1", "n2", "n3"))));
    CtrlReply reused = await(admin.joinGroup(100, List.of("n1", "n2", "n3")));
    assertTrue(assertInstanceOf(CtrlReply.Rejected.class, reused).reason().contains("was in an earlier configuration"),
        reused::toString);
    assertInstanceOf(CtrlReply.Rejected.class, await(admin.joinGroup(102, List.of("n1", "n9"))));
    assertInstanceOf(CtrlReply.Rejected.class, await(admin.joinGroup(102, List.of("n1", "n1"))));
    assertEquals(new CtrlReply.InvalidGid(0), await(admin.joinGroup(0, List.of("n1"))));
    assertEquals(new CtrlReply.UnknownGid(100), await(admin.leaveGroup(100)));
    CtrlReply last = await(admin.leaveGroup(101));
    assertTrue(assertInstanceOf(CtrlReply.Rejected.class, last).reason().contains("only group"), last::toString);
    assertEquals(List.of(), controller.writes, "a refusal writes nothing");
  }

  @Test
  void aWatchAnswersTheFirstConfigurationAfterItsNumberThoughTheControllerAnswersTheLatest() {
    History controller = new History();
    AkkaShardAdmin admin = admin(controller);
    assertEquals(new CtrlReply.Config(controller.configs.get(2)), await(admin.watch(1, Duration.ZERO)));
    assertEquals(new CtrlReply.Config(controller.configs.get(1)), await(admin.watch(0, Duration.ZERO)));
    assertEquals(new CtrlReply.Config(controller.configs.get(3)), await(admin.watch(-1, Duration.ZERO)), "-1: the latest");
    assertEquals(new CtrlReply.Unchanged(3), await(admin.watch(3, Duration.ZERO)));
    assertEquals(new CtrlReply.Unchanged(3), await(admin.watch(7, Duration.ZERO)));
  }
}
