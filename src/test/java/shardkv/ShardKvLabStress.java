package shardkv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs lab scenarios over many seeds (not part of the suite: its name does not end in Test). Run:
 * {@code mvn -o test -Dtest=ShardKvLabStress -Dscenarios=snapshot5B,missChange5B -Dseeds=50}.
 * Prints every failing seed with its failure.
 */
class ShardKvLabStress {

  @Test
  void stress() throws Exception {
    String[] names = System.getProperty("scenarios", "snapshot5B").split(",");
    int seeds = Integer.getInteger("seeds", 20);
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
