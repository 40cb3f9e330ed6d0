package mapreduce.apps;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code indexer}: emits (word, document) once per distinct word; reduce gives "count doc1,doc2,...". */
public final class Indexer implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    List<KeyValue> out = new ArrayList<>();
    for (String w : new LinkedHashSet<>(Words.split(contents))) {
      out.add(new KeyValue(w, file));
    }
    return out;
  }

  @Override
  public String reduce(String key, List<String> values) {
    List<String> docs = new ArrayList<>(values);
    docs.sort(null);
    return docs.size() + " " + String.join(",", docs);
  }

  @Override
  public String name() {
    return "indexer";
  }
}
