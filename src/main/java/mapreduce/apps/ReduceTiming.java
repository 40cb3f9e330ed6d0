package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code rtiming}: maps emit keys a..j; each reduce returns how many reduce workers ran at once. */
public final class ReduceTiming implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    List<KeyValue> out = new ArrayList<>();
    for (char c = 'a'; c <= 'j'; c++) {
      out.add(new KeyValue(String.valueOf(c), "1"));
    }
    return out;
  }

  @Override
  public String reduce(String key, List<String> values) {
    return Integer.toString(Parallelism.count("reduce"));
  }

  @Override
  public String name() {
    return "rtiming";
  }
}
