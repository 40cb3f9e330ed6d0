package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import shardctrl.ShardConfig;
import testkit.SnapshotRoundTrip;

/** The pure shard group state machine: ownership at apply, config order, pull chunks, sessions, GC. */
class ShardKvStateMachineTest {
  static final ShardMapping LAB = new LabFirstByte(10);

  static ShardConfig config(long num, int... gids) {
    List<Integer> shards = new ArrayList<>();
    TreeMap<Integer, List<String>> groups = new TreeMap<>();
    for (int g : gids) {
      shards.add(g);
      if (g != 0) groups.put(g, List.of("s" + g));
    }
    return new ShardConfig(num, shards, groups);
  }

  static ShardConfig all(long num, int gid) {
    int[] g = new int[10];
    java.util.Arrays.fill(g, gid);
    return config(num, g);
  }

  static ShardKvReply op(ShardKvStateMachine m, long client, long seq, KvCommand c) {
    return m.apply(ShardKvCommand.ClientOp.of(LAB, client, seq, c));
  }

  static KvReply kv(ShardKvReply r) {
    return assertInstanceOf(ShardKvReply.Kv.class, r).reply();
  }

  /** Moves every shard of {@code from} into {@code to} chunk by chunk, as the servers do; returns the chunks. */
  static int migrate(ShardKvStateMachine from, ShardKvStateMachine to, int maxBytes) {
    int chunks = 0;
    for (int s : to.shardsIn(ShardStatus.PULLING)) {
      while (to.status(s) == ShardStatus.PULLING) {
        ShardPull.Chunk c = (ShardPull.Chunk) from.pull(new ShardPull.Request(to.current().num(), s, to.cursor(s), maxBytes));
        assertInstanceOf(ShardKvReply.Applied.class, to.apply(c.install()));
        chunks++;
      }
      assertInstanceOf(ShardKvReply.Applied.class, from.apply(new ShardKvCommand.DeleteShard(to.current().num(), s)));
      assertInstanceOf(ShardKvReply.Applied.class, to.apply(new ShardKvCommand.GcDone(to.current().num(), s)));
    }
    return chunks;
  }

  @Test
  void ownsNothingBeforeItsFirstConfigAndAnswersWrongGroup() {
    ShardKvStateMachine m = new ShardKvStateMachine(100, LAB);
    assertInstanceOf(ShardKvReply.WrongGroup.class, op(m, 1, 0, new KvCommand.Get("a")));
    assertInstanceOf(ShardKvReply.WrongGroup.class, op(m, 1, 1, new KvCommand.Put("a", "x")));
    assertInstanceOf(ShardKvReply.Applied.class, m.apply(new ShardKvCommand.ConfigChange(all(1, 100))));
    assertEquals(new KvReply.NoKey(), kv(op(m, 1, 0, new KvCommand.Get("a"))));
  }

  @Test
  void configsApplyOnlyInOrder() {
    ShardKvStateMachine m = new ShardKvStateMachine(100, LAB);
    assertInstanceOf(ShardKvReply.NotYet.class, m.apply(new ShardKvCommand.ConfigChange(all(2, 100))));
    assertEquals(0, m.current().num());
    m.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    assertInstanceOf(ShardKvReply.Ignored.class, m.apply(new ShardKvCommand.ConfigChange(all(1, 100))));
    assertEquals(1, m.current().num());
  }

  @Test
  void shardMovesWithItsDataAndSessionsInByteBoundedChunks() {
    ShardKvStateMachine a = new ShardKvStateMachine(100, LAB);
    ShardKvStateMachine b = new ShardKvStateMachine(101, LAB);
    a.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    b.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    String big = "v".repeat(100);
    for (int i = 0; i < 50; i++) kv(op(a, 7, i + 1, new KvCommand.Put("0k" + i, big))); // shard '0' % 10 = 8
    int shard = LAB.shardOf("0k0");
    ShardConfig two = all(1, 100);
    List<Integer> gids = new ArrayList<>(two.shards());
    gids.set(shard, 101);
    ShardConfig next = new ShardConfig(2, gids, new TreeMap<>(Map.of(100, List.of("s100"), 101, List.of("s101"))));
    a.apply(new ShardKvCommand.ConfigChange(next));
    b.apply(new ShardKvCommand.ConfigChange(next));
    assertEquals(ShardStatus.BEPULLED, a.status(shard));
    assertEquals(ShardStatus.PULLING, b.status(shard));
    // neither serves it while in transit: never a stale value
    assertInstanceOf(ShardKvReply.WrongGroup.class, op(a, 8, 0, new KvCommand.Get("0k1")));
    assertInstanceOf(ShardKvReply.WrongGroup.class, op(b, 8, 0, new KvCommand.Get("0k1")));
    // a pull for a config the owner has not reached: typed not-yet
    assertInstanceOf(ShardPull.NotYet.class, a.pull(new ShardPull.Request(3, shard, "", 1000)));
    // a repeated or out-of-order chunk changes nothing
    ShardPull.Chunk first = (ShardPull.Chunk) a.pull(new ShardPull.Request(2, shard, "", 1000));
    assertTrue(first.entries().size() < 50 && !first.last(), "chunk of 1000 bytes holds fewer than 50 entries of 100");
    b.apply(first.install());
    assertInstanceOf(ShardKvReply.Ignored.class, b.apply(first.install()));
    int chunks = 1 + migrate(a, b, 1000);
    assertTrue(chunks >= 5, "chunks " + chunks);
    assertEquals(ShardStatus.SERVING, b.status(shard));
    assertEquals(ShardStatus.ABSENT, a.status(shard));
    assertEquals(0, a.keys(shard));
    assertEquals(50, b.keys(shard));
    assertEquals(new KvReply.Value(big), kv(op(b, 8, 0, new KvCommand.Get("0k49"))));
    // exactly once across the move: a retried write of client 7 is not applied again
    assertEquals(KvReply.DONE, kv(op(b, 7, 50, new KvCommand.Append("0k49", "X"))));
    assertEquals(new KvReply.Value(big), kv(op(b, 8, 0, new KvCommand.Get("0k49"))));
    assertEquals(KvReply.DONE, kv(op(b, 7, 51, new KvCommand.Append("0k49", "X"))));
    assertEquals(KvReply.DONE, kv(op(b, 7, 51, new KvCommand.Append("0k49", "X"))));
    assertEquals(new KvReply.Value(big + "X"), kv(op(b, 8, 0, new KvCommand.Get("0k49"))));
  }

  @Test
  void anArrivedShardIsServedWhileAnotherIsStillPulling() {
    ShardKvStateMachine a = new ShardKvStateMachine(100, LAB);
    ShardKvStateMachine b = new ShardKvStateMachine(101, LAB);
    ShardKvStateMachine c = new ShardKvStateMachine(102, LAB);
    ShardConfig one = config(1, 100, 100, 100, 100, 100, 102, 102, 102, 102, 102);
    ShardConfig two = all(2, 101);
    for (ShardKvStateMachine m : List.of(a, b, c)) m.apply(new ShardKvCommand.ConfigChange(one));
    kv(op(c, 1, 1, new KvCommand.Put("7", "from102"))); // '7' = 55: shard 5, on 102
    kv(op(c, 1, 2, new KvCommand.Put("9", "x"))); // 57 % 10 = 7, on 102
    b.apply(new ShardKvCommand.ConfigChange(two));
    c.apply(new ShardKvCommand.ConfigChange(two));
    for (int s = 5; s < 10; s++) {
      ShardPull.Chunk ch = (ShardPull.Chunk) c.pull(new ShardPull.Request(2, s, "", 1000));
      b.apply(ch.install());
    }
    assertEquals(new KvReply.Value("x"), kv(op(b, 2, 0, new KvCommand.Get("9"))));
    assertEquals(new KvReply.Value("from102"), kv(op(b, 2, 0, new KvCommand.Get("7"))));
    // '2' = 50: shard 0, still on its way from 100
    assertEquals(ShardStatus.PULLING, b.status(LAB.shardOf("2")));
    assertInstanceOf(ShardKvReply.WrongGroup.class, op(b, 2, 0, new KvCommand.Get("2")));
    assertTrue(!b.settled());
    assertInstanceOf(ShardKvReply.NotYet.class, b.apply(new ShardKvCommand.ConfigChange(all(3, 101))));
  }

  @Test
  void deleteAndGcAreIdempotent() {
    ShardKvStateMachine a = new ShardKvStateMachine(100, LAB);
    a.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    assertInstanceOf(ShardKvReply.NotYet.class, a.apply(new ShardKvCommand.DeleteShard(2, 0)));
    assertInstanceOf(ShardKvReply.Ignored.class, a.apply(new ShardKvCommand.DeleteShard(1, 0))); // it serves shard 0
    assertEquals(ShardStatus.SERVING, a.status(0));
    assertInstanceOf(ShardKvReply.Ignored.class, a.apply(new ShardKvCommand.GcDone(1, 0)));
    assertInstanceOf(ShardKvReply.Applied.class, a.apply(new ShardKvCommand.DeleteShard(0, 0)));
    assertEquals(ShardStatus.SERVING, a.status(0));
  }

  @Test
  void keyOfAnotherShardIsWrongGroupEvenIfTheNamedShardIsOwned() {
    ShardKvStateMachine m = new ShardKvStateMachine(100, LAB);
    m.apply(new ShardKvCommand.ConfigChange(config(1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    // "a" = 97, shard 7, not owned; naming shard 0 does not help
    assertInstanceOf(ShardKvReply.WrongGroup.class, m.apply(new ShardKvCommand.ClientOp(1, 1, 0, new KvCommand.Put("a", "x"))));
  }

  @Test
  void snapshotStreamsAndRestoresFromAStream() throws Exception {
    ShardKvStateMachine a = new ShardKvStateMachine(100, LAB);
    a.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    for (int i = 0; i < 50; i++) kv(op(a, 3, i + 1, new KvCommand.Put("k" + i, "v".repeat(i))));
    ShardKvStateMachine r = new ShardKvStateMachine(100, LAB);
    SnapshotRoundTrip.roundTrip(a, r);
    assertEquals(a.describe(), r.describe());
    for (int s = 0; s < 10; s++) assertEquals(a.sessionsOf(s), r.sessionsOf(s));
    assertEquals(new KvReply.Value("v".repeat(7)), kv(op(r, 9, 0, new KvCommand.Get("k7"))));
  }

  @Test
  void snapshotRestoresEverythingAndCodecsRoundTrip() throws Exception {
    ShardKvStateMachine a = new ShardKvStateMachine(100, LAB);
    ShardKvStateMachine b = new ShardKvStateMachine(101, LAB);
    a.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    b.apply(new ShardKvCommand.ConfigChange(all(1, 100)));
    for (int i = 0; i < 20; i++) kv(op(a, 3, i + 1, new KvCommand.Put("k" + i, "v" + i)));
    ShardConfig next = all(2, 101);
    a.apply(new ShardKvCommand.ConfigChange(next));
    b.apply(new ShardKvCommand.ConfigChange(next));
    ShardPull.Chunk c = (ShardPull.Chunk) a.pull(new ShardPull.Request(2, LAB.shardOf("k0"), "", 30));
    b.apply(c.install());
    ShardKvStateMachine b2 = new ShardKvStateMachine(101, LAB);
    b2.restore(b.snapshot());
    assertEquals(b.describe(), b2.describe());
    assertEquals(b.cursor(LAB.shardOf("k0")), b2.cursor(LAB.shardOf("k0")));
    assertEquals(b.sessionsOf(LAB.shardOf("k0")), b2.sessionsOf(LAB.shardOf("k0")));
    assertEquals(b.snapshot(), b2.snapshot());

    for (ShardKvCommand cmd : List.of(c.install(), new ShardKvCommand.ConfigChange(next),
        new ShardKvCommand.DeleteShard(4, 2), new ShardKvCommand.GcDone(5, 1),
        ShardKvCommand.ClientOp.of(LAB, 9, 3, new KvCommand.Append("x", "y")))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ShardKvCodec.COMMANDS.write(cmd, new DataOutputStream(buf));
      assertEquals(cmd, ShardKvCodec.COMMANDS.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray()))));
    }
    for (ShardKvReply r : List.of(new ShardKvReply.Kv(KvReply.DONE), new ShardKvReply.WrongGroup(3),
        new ShardKvReply.Applied(1), new ShardKvReply.Ignored(2), new ShardKvReply.NotYet(4))) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      ShardKvCodec.RESULTS.write(r, new DataOutputStream(buf));
      assertEquals(r, ShardKvCodec.RESULTS.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray()))));
    }
  }

  @Test
  void keyRangesMapAndOrderShards() {
    KeyRanges r = KeyRanges.of("g", "p");
    assertEquals(3, r.nShards());
    assertEquals(0, r.shardOf(""));
    assertEquals(0, r.shardOf("f"));
    assertEquals(1, r.shardOf("g"));
    assertEquals(1, r.shardOf("ozz"));
    assertEquals(2, r.shardOf("p"));
    assertEquals(List.of(1, 2), r.shardsInKeyOrder("h", null));
    assertEquals(List.of(0, 1), r.shardsInKeyOrder("a", "p"));
    assertEquals(List.of(0), r.shardsInKeyOrder("a", "g"));
    assertEquals(Collections.nCopies(1, 7).get(0), new LabFirstByte(10).shardOf("a"));
  }
}
