package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code mtiming}: each map records its start time and how many map workers ran at once. */
public final class MapTiming implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    double ts = System.currentTimeMillis() / 1000.0;
    long pid = ProcessHandle.current().pid();
    int n = Parallelism.count("map");
    return List.of(
        new KeyValue("times-" + pid, String.format(Locale.ROOT, "%.1f", ts)),
        new KeyValue("parallel-" + pid, Integer.toString(n)));
  }

  @Override
  public String reduce(String key, List<String> values) {
    List<String> vv = new ArrayList<>(values);
    vv.sort(null);
    return String.join(" ", vv);
  }

  @Override
  public String name() {
    return "mtiming";
  }
}
