package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the lab scenarios over several fixed seeds and lists every failing seed with its failure.
 * Surefire's default includes skip it (its name does not end in Test), but {@code -Dtest='shardkv.**'}
 * runs it: by default every scenario on seeds 1-3 (about 10 s). More:
 * {@code mvn -o test -Dtest=ShardKvLabStress -Dscenarios=snapshot5B,missChange5B -Dseeds=50 -DfirstSeed=1000}.
 */
class ShardKvLabStress {
  static final String ALL = "staticShards5A,rejection5A,joinLeave5B,snapshot5B,missChange5B,concurrent1_5B,"
      + "concurrent2_5B,concurrent3_5B,unreliable1_5B,unreliable2_5B,unreliable3_5B,challenge1Delete,"
      + "challenge2Unaffected,challenge2Partial";

  @Test
  void stress() throws Exception {
    String[] names = System.getProperty("scenarios", ALL).split(",");
    int seeds = Integer.getInteger("seeds", 3);
    long first = Long.getLong("firstSeed", 1);
    List<String> failed = new ArrayList<>();
    ShardKvLabTest t = new ShardKvLabTest();
    for (String name : names) {
      Method m = ShardKvLabTest.class.getDeclaredMethod(name, long.class);
      for (long seed = first; seed < first + seeds; seed++) {
        try {
          m.invoke(t, seed);
        } catch (InvocationTargetException e) {
          String line = name + " seed=" + seed + ": " + e.getCause();
          System.err.println(line);
          failed.add(line);
        }
      }
    }
    assertEquals(List.of(), failed);
  }
}
