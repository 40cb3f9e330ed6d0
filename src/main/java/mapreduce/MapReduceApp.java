package mapreduce;

import java.util.List;

/**
 * A MapReduce application: the lab's plugin with {@code Map} and {@code Reduce}. Implementations
 * need a public no-argument constructor so workers can load them by class name.
 */
public interface MapReduceApp {
  /** Called once per input file with the file name as passed to the coordinator and its contents. */
  List<KeyValue> map(String file, String contents);

  /** Called once per distinct key with every value emitted for it, in no particular order. */
  String reduce(String key, List<String> values);

  /**
   * The name workers and coordinator compare to agree on the app: the short name for the apps
   * that ship with the project ({@code wc}, {@code indexer}, ...), the class name otherwise.
   */
  default String name() {
    return getClass().getName();
  }
}
