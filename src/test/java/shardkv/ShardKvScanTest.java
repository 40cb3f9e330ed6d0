package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import kvraft.KvReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;

/**
 * {@link ShardKvClient#scan} over several shards and groups on the virtual-time tester, with the
 * product's ordered key ranges (one ordered walk per shard, shards in key order) and with the
 * lab's first-byte mapping (every shard asked, results merged), while shards move between groups.
 */
@ExtendWith(SeedExtension.class)
class ShardKvScanTest {

  static final KeyRanges RANGES = KeyRanges.of("1", "2", "3", "4", "5", "6", "7", "8", "9");

  static List<String> keysOf(KvReply r) {
    List<String> out = new ArrayList<>();
    for (KvReply.Entry e : assertInstanceOf(KvReply.Scanned.class, r).entries()) out.add(e.key());
    return out;
  }

  void scansAcrossMoves(LabShardCluster cfg) {
    LabShardClerk ck = cfg.makeClient();
    cfg.join(0);
    TreeMap<String, String> expected = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      String k = String.format("%02d", i * 7 % 100);
      ck.put(k, "v" + i);
      expected.put(k, "v" + i);
    }
    for (Runnable change : List.<Runnable>of(() -> cfg.join(1), () -> cfg.join(2), () -> cfg.leave(0), () -> cfg.join(0))) {
      change.run();
      KvReply all = ck.scan("", null, 0);
      assertEquals(new ArrayList<>(expected.keySet()), keysOf(all));
      assertEquals(new ArrayList<>(expected.subMap("15", "63").keySet()), keysOf(ck.scan("15", "63", 0)));
      KvReply.Scanned limited = (KvReply.Scanned) ck.scan("3", null, 5);
      assertEquals(new ArrayList<>(expected.tailMap("3").keySet()).subList(0, 5), keysOf(limited));
      assertEquals(true, limited.more());
      for (KvReply.Entry e : ((KvReply.Scanned) all).entries()) assertEquals(expected.get(e.key()), e.value());
    }
  }

  @Test
  void scanWalksRangeShardsInKeyOrder(long seed) {
    try (LabShardCluster cfg = LabShardCluster.make(false, -1, seed, RANGES)) {
      scansAcrossMoves(cfg);
    }
  }

  @Test
  void scanMergesLabShards(long seed) {
    try (LabShardCluster cfg = LabShardCluster.make(true, 100, seed)) {
      scansAcrossMoves(cfg);
    }
  }
}
