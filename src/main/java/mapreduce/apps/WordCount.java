package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/** {@code wc}: emits (word, "1") per occurrence; reduce counts them. */
public final class WordCount implements MapReduceApp {
  @Override
  public List<KeyValue> map(String file, String contents) {
    List<String> words = Words.split(contents);
    List<KeyValue> out = new ArrayList<>(words.size());
    for (String w : words) {
      out.add(new KeyValue(w, "1"));
    }
    return out;
  }

  @Override
  public String reduce(String key, List<String> values) {
    return Integer.toString(values.size());
  }

  @Override
  public String name() {
    return "wc";
  }
}
