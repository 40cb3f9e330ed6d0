package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
