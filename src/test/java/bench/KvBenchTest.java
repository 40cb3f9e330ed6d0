package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import kvraft.InMemoryKvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;

@ExtendWith(SeedExtension.class)
class KvBenchTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void workloadHasSixteenByteKeysAndTwoHundredFiftySixByteValues(long seed) {
    KvWorkload w = new KvWorkload(30, seed);
    int gets = 0;
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      KvCommand c = w.next();
      assertEquals(KvWorkload.KEY_BYTES, c.key().getBytes(StandardCharsets.UTF_8).length, c.key());
      assertTrue(c.key().compareTo(KvWorkload.key(0)) >= 0 && c.key().compareTo(KvWorkload.key(KvWorkload.KEYS - 1)) <= 0);
      keys.add(c.key());
      if (c instanceof KvCommand.Get) {
        gets++;
      } else {
        String v = ((KvCommand.Put) c).value();
        assertEquals(KvWorkload.VALUE_BYTES, v.getBytes(StandardCharsets.UTF_8).length);
      }
    }
    assertTrue(gets > 5_400 && gets < 6_600, "about 30% reads, got " + gets);
    assertTrue(keys.size() > 8_000, "uniform over 10,000 keys, saw " + keys.size());
    assertEquals("key-000000009999", KvWorkload.key(9_999));
  }

  @Test
  void readPercentageBoundsAndSeedReproducibility(long seed) {
    KvWorkload allReads = new KvWorkload(100, seed);
    KvWorkload allWrites = new KvWorkload(0, seed);
    for (int i = 0; i < 1000; i++) {
      assertTrue(allReads.next() instanceof KvCommand.Get);
      assertTrue(allWrites.next() instanceof KvCommand.Put);
    }
    KvWorkload a = new KvWorkload(50, seed);
    KvWorkload b = new KvWorkload(50, seed);
    for (int i = 0; i < 100; i++) assertEquals(a.next(), b.next());
    assertThrows(IllegalArgumentException.class, () -> new KvWorkload(101, seed));
    assertThrows(IllegalArgumentException.class, () -> new KvWorkload(-1, seed));
  }

  @Test
  void percentilesComeFromTheHistogramWithinAThousandth() {
    Latencies l = new Latencies();
    assertTrue(Double.isNaN(l.percentileMs(0.5)));
    assertTrue(Double.isNaN(l.maxMs()));
    for (int ms = 100; ms >= 1; ms--) l.add(ms * 1_000_000L); // unsorted on purpose
    assertEquals(100, l.count());
    assertEquals(50.0, l.percentileMs(0.50), 0.05);
    assertEquals(99.0, l.percentileMs(0.99), 0.099);
    assertEquals(100.0, l.percentileMs(1.0), 0.1);
    assertEquals(100.0, l.maxMs(), 0.1);
    assertEquals(1.0, l.percentileMs(0.001), 0.001);
    Latencies one = new Latencies();
    one.add(2_500_000L);
    assertEquals(2.5, one.percentileMs(0.99), 0.0025);
    Latencies merged = new Latencies();
    for (int i = 0; i < 3000; i++) merged.add(7_000_000L);
    merged.addAll(one);
    assertEquals(3001, merged.count());
    assertEquals(7.0, merged.percentileMs(0.99), 0.007);
    assertEquals(7.0, merged.percentileMs(0.999), 0.007);
    Latencies tail = new Latencies();
    for (int i = 0; i < 999; i++) tail.add(1_000_000L);
    tail.add(3_600_000_000_000L); // one hour: the histogram grows to fit it
    assertEquals(1.0, tail.percentileMs(0.999), 0.001);
    assertEquals(3_600_000.0, tail.maxMs(), 3_600);
  }

  /**
   * Callback clients run closed loops without threads: operations that complete at once (the
   * in-memory client) and operations completed later on another thread are counted alike, and
   * every loop ends with the window.
   */
  @Test
  void callbackClientsCountTheirOperationsWhetherTheyCompleteAtOnceOrLater(long seed) throws Exception {
    KvBench.Load load = new KvBench.Load(8, java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500), 50, seed);
    KvBench.Result now = KvBench.runCallbacks("now", new InMemoryKvClient(), load);
    assertTrue(now.gets().count() > 0 && now.puts().count() > 0, now::toJson);
    assertEquals(0, now.errors());
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      InMemoryKvClient store = new InMemoryKvClient();
      kvraft.KvClient later = new kvraft.KvClient() {
        @Override
        public java.util.concurrent.CompletionStage<KvReply> execute(kvraft.KvCommand command) {
          return java.util.concurrent.CompletableFuture.supplyAsync(() -> store.execute(command).toCompletableFuture().join(), other);
        }

        @Override
        public java.util.concurrent.CompletionStage<List<raft.core.RaftStatus>> status() {
          return store.status();
        }

        @Override
        public void close() {}
      };
      KvBench.Result result = KvBench.runCallbacks("later", later, load);
      assertTrue(result.gets().count() > 0 && result.puts().count() > 0, result::toJson);
      assertEquals(0, result.errors());
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void jsonLineHasEveryField() throws Exception {
    Latencies gets = new Latencies();
    gets.add(1_000_000L);
    gets.add(3_000_000L);
    KvBench.Result r = new KvBench.Result("kvclient", 4, 2.0, 50, 3, gets, new Latencies());
    String line = r.toJson();
    assertTrue(!line.contains("\n"));
    JsonNode j = MAPPER.readTree(line);
    assertEquals("kvclient", j.get("target").asText());
    assertEquals(4, j.get("clients").asInt());
    assertEquals(2.0, j.get("seconds").asDouble());
    assertEquals(50, j.get("reads_pct").asInt());
    assertEquals(1, j.get("ops_per_s").asLong());
    assertEquals(3, j.get("errors").asLong());
    assertEquals(2, j.get("get").get("count").asInt());
    assertEquals(1.0, j.get("get").get("p50_ms").asDouble(), 0.001);
    assertEquals(3.0, j.get("get").get("p99_ms").asDouble(), 0.003);
    assertEquals(3.0, j.get("get").get("p999_ms").asDouble(), 0.003);
    assertEquals(3.0, j.get("get").get("max_ms").asDouble(), 0.003);
    for (String f : List.of("p50_ms", "p99_ms", "p999_ms", "max_ms"))
      assertTrue(j.get("put").get(f).isNull(), "no samples: null, not NaN (invalid JSON)");
  }

  @Test
  void raftJsonLineKeepsItsFieldsAndAddsTheTail() throws Exception {
    Latencies l = new Latencies();
    for (int i = 1; i <= 1000; i++) l.add(i * 10_000L); // 0.01 .. 10 ms
    JsonNode j = MAPPER.readTree(new RaftBench.Result(16, 1234.4, l, 10, 256).toJson());
    assertEquals(List.of("clients", "commits_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms", "seconds", "size"),
        iterate(j.fieldNames()));
    assertEquals(16, j.get("clients").asInt());
    assertEquals(1234, j.get("commits_per_s").asLong());
    assertEquals(5.0, j.get("p50_ms").asDouble(), 0.01);
    assertEquals(9.9, j.get("p99_ms").asDouble(), 0.02);
    assertEquals(10.0, j.get("max_ms").asDouble(), 0.02);
    assertThrows(IllegalArgumentException.class,
        () -> new RaftBench.Options(1, 1, 11, 0, java.nio.file.Path.of("x"), 1, false, null));
  }

  private static List<String> iterate(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void shortRunAgainstTheInMemoryClient(long seed) throws Exception {
    InMemoryKvClient client = new InMemoryKvClient();
    client.failNext(KvReply.BUSY, KvReply.TIMEOUT);
    KvBench.Result r = KvBench.run("kvclient", client, 2, Duration.ZERO, Duration.ofMillis(300), 50, seed);
    assertTrue(r.gets().count() > 100 && r.puts().count() > 100, r.toJson());
    assertEquals(2, r.errors());
    assertTrue(r.opsPerSecond() > 0);
    assertTrue(client.size() > 0 && client.size() <= KvWorkload.KEYS);
  }

  @Test
  void etcdRequestsAreBase64Json() throws Exception {
    JsonNode put = MAPPER.readTree(EtcdKvClient.putBody("key-000000000001", "välue"));
    assertEquals("key-000000000001", decode(put.get("key").asText()));
    assertEquals("välue", decode(put.get("value").asText()));
    JsonNode range = MAPPER.readTree(EtcdKvClient.rangeBody("k"));
    assertEquals("aw==", range.get("key").asText());
    assertEquals(1, range.size());
    String found = "{\"header\":{\"revision\":\"5\"},\"kvs\":[{\"key\":\"aw==\",\"create_revision\":\"2\","
        + "\"mod_revision\":\"5\",\"version\":\"4\",\"value\":\"" + b64("v1") + "\"}],\"count\":\"1\"}";
    assertEquals(new KvReply.Value("v1"), EtcdKvClient.parseRange(found));
    assertEquals(KvReply.NO_KEY, EtcdKvClient.parseRange("{\"header\":{\"revision\":\"5\"}}"));
    assertTrue(EtcdKvClient.parseRange("not json") instanceof KvReply.Rejected);
    assertEquals(KvReply.DONE, EtcdKvClient.reply(new KvCommand.Put("k", "v"), 200, "{\"header\":{}}"));
    assertEquals(KvReply.BUSY, EtcdKvClient.reply(new KvCommand.Get("k"), 503, ""));
    assertTrue(EtcdKvClient.reply(new KvCommand.Get("k"), 400, "") instanceof KvReply.Rejected);
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
