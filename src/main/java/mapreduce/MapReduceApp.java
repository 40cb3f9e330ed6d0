package mapreduce;

import java.util.List;
import java.util.Map;

/**
 * A MapReduce application: the lab's plugin with {@code Map} and {@code Reduce}, plus the Google
 * paper's optional combiner. Implementations need a public no-argument constructor so workers can
 * load them by class name.
 */
public interface MapReduceApp {
  /** Called once per input file with the file name as passed to the coordinator and its contents. */
  List<KeyValue> map(String file, String contents);

  /** Called once per distinct key with every value emitted for it, in no particular order. */
  String reduce(String key, List<String> values);

  /**
   * The combiner: called on a map task's output, once per distinct key with the values that task
   * emitted for it (and possibly again on values it returned before), before anything is written.
   * What it returns replaces those values. It must not change the job's result:
   * {@code reduce(k, concat(combine(k, a), combine(k, b)))} equals {@code reduce(k, concat(a, b))}.
   * The default keeps the values as they are, so apps without a combiner behave exactly as before.
   */
  default List<String> combine(String key, List<String> values) {
    return values;
  }

  /**
   * What a map task writes for one file (and what the sequential run folds): the pairs of
   * {@link #map} grouped by key, each group passed once through {@link #combine}. An app may
   * override it with a cheaper way to the same groups (wc counts its words in place, without a pair
   * object per occurrence); the groups must reduce to what the default's would.
   */
  default Map<String, List<String>> mapCombined(String file, String contents) {
    return MapOutput.combined(this, map(file, contents));
  }

  /**
   * The name workers and coordinator compare to agree on the app: the short name for the apps
   * that ship with the project ({@code wc}, {@code indexer}, ...), the class name otherwise.
   */
  default String name() {
    return getClass().getName();
  }
}
