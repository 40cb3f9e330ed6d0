package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/**
 * {@code wc}: emits (word, "1") per occurrence; the combiner and reduce add the counts up, so a
 * map task writes one (word, count) pair per distinct word instead of one pair per occurrence.
 */
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
  public List<String> combine(String key, List<String> values) {
    return List.of(Long.toString(sum(values)));
  }

  @Override
  public String reduce(String key, List<String> values) {
    return Long.toString(sum(values));
  }

  private static long sum(List<String> counts) {
    long n = 0;
    for (String c : counts) {
      n += c.equals("1") ? 1 : Long.parseLong(c);
    }
    return n;
  }

  @Override
  public String name() {
    return "wc";
  }
}
