package mapreduce.apps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mapreduce.KeyValue;
import mapreduce.MapReduceApp;

/**
 * {@code wc}: emits (word, "1") per occurrence; the combiner and reduce add the counts up, so a
 * map task writes one (word, count) pair per distinct word instead of one pair per occurrence.
 * {@link #mapCombined} counts in place: the same groups as combining {@link #map}'s pairs, without a
 * pair and a list entry per occurrence (most of a map task's time and garbage before).
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
  public Map<String, List<String>> mapCombined(String file, String contents) {
    Map<String, int[]> counts = new HashMap<>();
    Words.forEach(contents, w -> counts.computeIfAbsent(w, k -> new int[1])[0]++);
    Map<String, List<String>> groups = new HashMap<>(counts.size() * 4 / 3 + 1);
    for (Map.Entry<String, int[]> e : counts.entrySet()) {
      groups.put(e.getKey(), List.of(Integer.toString(e.getValue()[0])));
    }
    return groups;
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
