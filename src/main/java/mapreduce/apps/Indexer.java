package mapreduce.apps;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/**
 * {@code indexer}: emits (word, document) once per distinct word; reduce gives "count doc1,doc2,...".
 * The combiner sorts a key's documents (a map task has one document, so there is nothing to merge
 * there; the sequential run folds many files' values together and keeps them sorted as it goes).
 */
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
  public List<String> combine(String key, List<String> values) {
    if (values.size() == 1) {
      return values;
    }
    List<String> docs = new ArrayList<>(values);
    docs.sort(null);
    return docs;
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
