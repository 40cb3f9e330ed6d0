package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import raft.rsm.ClientSessions;
import raft.rsm.Envelope;
import raft.rsm.Replica;
import raft.rsm.ServiceCore;

/**
 * Shardkv reads as queries on the server half the actor replica runs ({@link ServiceCore} over a
 * {@link ShardKvStateMachine}): a read waiting for its read index is checked for ownership on the
 * state at that index, not on the state when it arrived.
 */
class ShardKvQueryTest {
  private static final int GID = 100;

  private final ServiceCore<ShardKvCommand, ShardKvReply, String> core = new ServiceCore<>(
      new Replica<>(new ShardKvStateMachine(GID, ShardKvStateMachineTest.LAB), ShardKvCodec.COMMANDS,
          ShardKvCodec.RESULTS, ShardKvServer.REPLIES, ClientSessions.DEFAULT_MAX_SESSIONS),
      ShardKvCodec.COMMANDS, -1);
  private long index;

  private List<ServiceCore.Answer<String, ShardKvReply>> apply(ShardKvCommand c) {
    return core.apply(++index, 1, core.encode(new Envelope<>(0, 0, c)));
  }

  private static ShardKvCommand.ClientOp op(long seq, KvCommand c) {
    return ShardKvCommand.ClientOp.of(ShardKvStateMachineTest.LAB, 7, seq, c);
  }

  @Test
  void getsAndScansAreQueriesAndWritesAndStepsAreNot() {
    ShardKvStateMachine m = new ShardKvStateMachine(GID, ShardKvStateMachineTest.LAB);
    assertTrue(m.isQuery(op(0, new KvCommand.Get("a"))));
    assertTrue(m.isQuery(new ShardKvCommand.ClientOp(0, 0, 3, new KvCommand.Scan("", null, 10))));
    assertFalse(m.isQuery(op(1, new KvCommand.Put("a", "x"))));
    assertFalse(m.isQuery(op(1, new KvCommand.Cas("a", null, "x"))));
    assertFalse(m.isQuery(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(1, GID))));
    assertFalse(m.isQuery(new ShardKvCommand.DeleteShard(1, 0)));
  }

  @Test
  void aReadAfterAWriteSeesIt() {
    apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(1, GID)));
    apply(op(1, new KvCommand.Put("a", "x")));
    assertEquals(Optional.of(new ServiceCore.Answer<>("reader", new ShardKvReply.Kv(new KvReply.Value("x")))),
        core.query(index, op(0, new KvCommand.Get("a")), "reader"));
  }

  @Test
  void aReadWaitingForItsIndexIsWrongGroupIfTheShardMovedAwayBeforeIt() {
    apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(1, GID)));
    apply(op(1, new KvCommand.Put("a", "x")));
    // The read index is the next entry: when the read arrived the shard was still served here.
    assertEquals(Optional.empty(), core.query(index + 1, op(0, new KvCommand.Get("a")), "reader"));
    List<ServiceCore.Answer<String, ShardKvReply>> answered =
        apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(2, 101)));
    assertEquals(List.of(new ServiceCore.Answer<String, ShardKvReply>("reader", new ShardKvReply.WrongGroup(2))),
        answered);
  }

  @Test
  void aReadOfAShardStillBeingPulledIsWrongGroupUntilItsLastChunkIsApplied() {
    apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(1, 101)));
    apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(2, GID)));
    int shard = ShardKvStateMachineTest.LAB.shardOf("a");
    ShardKvCommand.ClientOp get = op(0, new KvCommand.Get("a"));
    assertEquals(new ShardKvReply.WrongGroup(2), core.query(index, get, "early").orElseThrow().result());
    apply(new ShardKvCommand.InstallChunk(2, shard, "", List.of(new KvReply.Entry("a", "moved")), List.of(), false));
    assertEquals(new ShardKvReply.WrongGroup(2), core.query(index, get, "partly").orElseThrow().result());
    assertEquals(Optional.empty(), core.query(index + 1, get, "waiting"));
    List<ServiceCore.Answer<String, ShardKvReply>> answered =
        apply(new ShardKvCommand.InstallChunk(2, shard, "a\0", List.of(), List.of(), true));
    assertEquals(List.of(new ServiceCore.Answer<String, ShardKvReply>("waiting",
        new ShardKvReply.Kv(new KvReply.Value("moved")))), answered);
  }

  @Test
  void aQueryLeavesNoTraceInTheState() {
    apply(new ShardKvCommand.ConfigChange(ShardKvStateMachineTest.all(1, GID)));
    long applied = core.replica().appliedIndex();
    ShardKvReply r = core.query(index, op(0, new KvCommand.Get("none")), "reader").orElseThrow().result();
    assertInstanceOf(KvReply.NoKey.class, ((ShardKvReply.Kv) r).reply());
    assertEquals(applied, core.replica().appliedIndex());
  }
}
