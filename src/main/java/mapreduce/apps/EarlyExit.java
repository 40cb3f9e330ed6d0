package mapreduce.apps;

import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code early_exit}: map emits (file, "1"); reduce sleeps 3 s for keys with "sherlock" or "tom". */
public final class EarlyExit implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    return List.of(new KeyValue(file, "1"));
  }

  @Override
  public String reduce(String key, List<String> values) {
    if (key.contains("sherlock") || key.contains("tom")) {
      Parallelism.sleep(3000);
    }
    return Integer.toString(values.size());
  }

  @Override
  public String name() {
    return "early_exit";
  }
}
