package mapreduce;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A map call's pairs grouped by key, each group passed through the app's combiner: what a map task writes. */
final class MapOutput {
  private MapOutput() {}

  static Map<String, List<String>> combined(MapReduceApp app, List<KeyValue> pairs) {
    Map<String, List<String>> groups = new HashMap<>(Math.max(16, pairs.size() / 2));
    for (KeyValue kv : pairs) {
      List<String> vs = groups.get(kv.key());
      if (vs == null) {
        vs = new ArrayList<>(2);
        groups.put(kv.key(), vs);
      }
      vs.add(kv.value());
    }
    for (Map.Entry<String, List<String>> e : groups.entrySet()) {
      e.setValue(app.combine(e.getKey(), e.getValue()));
    }
    return groups;
  }
}
