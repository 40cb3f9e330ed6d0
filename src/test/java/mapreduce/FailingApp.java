package mapreduce;

import java.util.List;

/** A test app loaded by class name: word count that throws on every book whose name contains "grimm". */
public final class FailingApp implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    if (file.contains("grimm")) {
      throw new IllegalStateException("cannot read fairy tales: " + file.substring(file.lastIndexOf('/') + 1));
    }
    return List.of(new KeyValue("files", "1"));
  }

  @Override
  public String reduce(String key, List<String> values) {
    return Integer.toString(values.size());
  }
}
