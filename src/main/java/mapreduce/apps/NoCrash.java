package mapreduce.apps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code nocrash}: the crash app's output without crashes or delays; the reference for the crash test. */
public class NoCrash implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    maybeCrash();
    return List.of(
        new KeyValue("a", file),
        new KeyValue("b", Integer.toString(file.getBytes(StandardCharsets.UTF_8).length)),
        new KeyValue("c", Integer.toString(contents.getBytes(StandardCharsets.UTF_8).length)),
        new KeyValue("d", "xyzzy"));
  }

  @Override
  public String reduce(String key, List<String> values) {
    maybeCrash();
    List<String> vv = new ArrayList<>(values);
    vv.sort(null);
    return String.join(" ", vv);
  }

  /** Hook for {@link Crash}; does nothing here. */
  protected void maybeCrash() {}

  @Override
  public String name() {
    return "nocrash";
  }
}
