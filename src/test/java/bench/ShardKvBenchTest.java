package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shardctrl.ShardConfig;
import shardkv.KeyRanges;
import shardkv.LabFirstByte;

class ShardKvBenchTest {

  @Test
  void boundariesCutTheWorkloadKeysIntoEqualShards() {
    KeyRanges ranges = new KeyRanges(ShardKvBench.boundaries(10));
    int[] perShard = new int[10];
    for (int i = 0; i < KvWorkload.KEYS; i++) perShard[ranges.shardOf(KvWorkload.key(i))]++;
    for (int s = 0; s < 10; s++) assertEquals(1000, perShard[s], "shard " + s);
    assertEquals("key-000000001000", ranges.boundaries().get(0));
    // Why the bench sets ranges: the local conf's default, the lab's first byte, puts all keys in one shard.
    LabFirstByte lab = new LabFirstByte(10);
    for (int i = 0; i < KvWorkload.KEYS; i += 97) assertEquals('k' % 10, lab.shardOf(KvWorkload.key(i)));
  }

  /** A real run: three nodes in this JVM, a third group joined, 3 s of load through the sharded client. */
  @Test
  void shortRunOnThreeGroupsServesEveryShard(@TempDir Path data) throws Exception {
    KvBench.Load load = new KvBench.Load(4, Duration.ofSeconds(1), Duration.ofSeconds(3), 50, 7);
    ShardKvBench.Result r = ShardKvBench.embedded(data, 3, load);
    assertTrue(r.kv().gets().count() > 0 && r.kv().puts().count() > 0, r.toJson());
    assertEquals(0, r.kv().errors(), r.toJson());
    assertEquals(3, r.groups());
    assertEquals(10, r.shards());
    assertEquals(List.of(100, 101, 102), List.copyOf(r.opsPerGroup().keySet()), r.toJson());
    r.opsPerShard().forEach((s, n) -> assertTrue(n > 0, "shard " + s + " served nothing: " + r.toJson()));
    r.opsPerGroup().forEach((g, n) -> assertTrue(n > 0, "group " + g + " served nothing: " + r.toJson()));
    long measured = r.kv().gets().count() + r.kv().puts().count();
    long served = r.opsPerShard().values().stream().mapToLong(Long::longValue).sum();
    assertTrue(served >= measured, "warm-up and window: " + served + " >= " + measured);

    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals(List.of("target", "clients", "seconds", "reads_pct", "ops_per_s", "errors", "get", "put",
        "groups", "shards", "ops_per_shard", "ops_per_group", "journal"), iterate(j.fieldNames()));
    assertEquals("embedded-sharded", j.get("target").asText());
    assertEquals(4, j.get("clients").asInt());
    assertTrue(j.get("ops_per_s").asLong() > 0);
    assertEquals(3, j.get("groups").asInt());
    assertEquals(10, j.get("ops_per_shard").size());
    assertTrue(j.get("ops_per_group").get("102").asLong() > 0);
    // Every node's journal wrote during the load; no more fsyncs than writes (several share one).
    assertEquals(List.of("n1", "n2", "n3"), iterate(j.get("journal").fieldNames()));
    r.journals().forEach((node, l) -> assertTrue(l.writes() > 0 && l.fsyncs() > 0 && l.fsyncs() <= l.writes(),
        node + ": " + r.toJson()));
  }

  /**
   * The migration phase, tiny: 2 groups, 4 clients, 1 MiB pre-loaded into the moving shard; the
   * move completes and both windows of the other shards are measured (no speed asserted).
   */
  @Test
  void migrateMovesAPreloadedShardAndMeasuresTheOthersBeforeAndDuring(@TempDir Path data) throws Exception {
    KvBench.Load load = new KvBench.Load(4, Duration.ofSeconds(1), Duration.ofSeconds(2), 50, 7);
    ShardKvBench.Result r = ShardKvBench.embedded(data, 2, load, OptionalLong.of(1024 * 1024));
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals("migration", iterate(j.fieldNames()).get(iterate(j.fieldNames()).size() - 1), r.toJson());
    JsonNode m = j.get("migration");
    assertEquals(List.of("shard", "from_gid", "to_gid", "preload_bytes", "served_s", "move_s", "baseline_s",
        "non_moving_clients", "non_moving_ops_per_s_before", "non_moving_ops_per_s_during", "non_moving_ops_per_s_after", "non_moving_ratio",
        "non_moving_put_ratio", "non_moving_ratio_per_group", "non_moving_p99_ms_before", "non_moving_p99_ms_during", "non_moving_put_p99_ms_before",
        "non_moving_put_p99_ms_during", "non_moving_p99_ms_after", "non_moving_errors", "moving_clients", "moving_shard_ops_before",
        "moving_shard_ops_during", "moving_shard_p99_ms_before", "moving_shard_p99_ms_during",
        "moving_shard_max_ms_during", "moving_shard_ops_after", "moving_shard_errors", "usage"), iterate(m.fieldNames()));
    // 2 groups hold 5 shards each: a shard of 100 (the fullest, lowest gid on the tie) moves to 101.
    assertEquals(100, m.get("from_gid").asInt(), m.toString());
    assertEquals(101, m.get("to_gid").asInt());
    assertEquals(1024 * 1024, m.get("preload_bytes").asLong());
    double served = m.get("served_s").asDouble();
    double moved = m.get("move_s").asDouble();
    assertTrue(served > 0 && served <= moved, m.toString());
    assertEquals(3, m.get("non_moving_clients").asInt());
    assertEquals(1, m.get("moving_clients").asInt());
    assertTrue(m.get("non_moving_ops_per_s_before").asLong() > 0, m.toString());
    assertTrue(m.get("non_moving_ops_per_s_during").asLong() > 0, m.toString());
    ShardMoveBench.Result x = r.migration().orElseThrow();
    assertEquals(x.nonMovingDuring().opsPerSecond() / x.nonMovingBefore().opsPerSecond(),
        m.get("non_moving_ratio").asDouble(), 0.001);
    assertEquals(List.of("100", "101"), iterate(m.get("non_moving_ratio_per_group").fieldNames()));
    assertTrue(m.get("non_moving_p99_ms_before").asDouble() > 0 && m.get("non_moving_p99_ms_during").asDouble() > 0);
    assertEquals(0, m.get("non_moving_errors").asLong(), m.toString());
    assertTrue(m.get("moving_shard_ops_before").asLong() > 0, m.toString());
    assertEquals(List.of("before", "during", "after"), iterate(m.get("usage").fieldNames()));
    assertTrue(m.get("usage").get("during").get("journal_mib").asDouble() > 0, m.toString());
    // After the move the shard is served by its new owner.
    assertTrue(m.get("moving_shard_ops_after").asLong() > 0, m.toString());
  }

  @Test
  void planMovesTheLowestShardOfTheFullestGroupToTheEmptiest() {
    java.util.SortedMap<Integer, List<String>> groups = new java.util.TreeMap<>(
        java.util.Map.of(100, List.of("a"), 101, List.of("b"), 102, List.of("c")));
    ShardConfig c = new ShardConfig(3, List.of(101, 100, 101, 102, 101, 100, 100, 101, 102, 100), groups);
    assertEquals(new ShardMoveBench.Plan(1, 100, 102), ShardMoveBench.plan(c));
    ShardConfig one = new ShardConfig(1, java.util.Collections.nCopies(10, 100),
        new java.util.TreeMap<>(java.util.Map.of(100, List.of("a"))));
    assertThrows(IllegalArgumentException.class, () -> ShardMoveBench.plan(one));
  }

  @Test
  void migrateOnOneGroupOrANegativePreloadIsRefusedBeforeAnythingStarts(@TempDir Path data) {
    KvBench.Load load = new KvBench.Load(1, Duration.ZERO, Duration.ofSeconds(1), 50, 1);
    assertThrows(IllegalArgumentException.class, () -> ShardKvBench.embedded(data, 1, load, OptionalLong.of(1)));
    assertThrows(IllegalArgumentException.class, () -> ShardKvBench.embedded(data, 2, load, OptionalLong.of(-1)));
  }

  @Test
  void groupsOutOfRangeAreRefusedBeforeAnythingStarts(@TempDir Path data) {
    KvBench.Load load = new KvBench.Load(1, Duration.ZERO, Duration.ofSeconds(1), 50, 1);
    assertThrows(IllegalArgumentException.class, () -> ShardKvBench.embedded(data, 0, load));
    assertThrows(IllegalArgumentException.class, () -> ShardKvBench.embedded(data, 11, load));
  }

  private static List<String> iterate(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
