package mapreduce;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import mapreduce.apps.Crash;
import mapreduce.apps.EarlyExit;
import mapreduce.apps.Indexer;
import mapreduce.apps.JobCount;
import mapreduce.apps.MapTiming;
import mapreduce.apps.NoCrash;
import mapreduce.apps.ReduceTiming;
import mapreduce.apps.WordCount;

/** Finds an app by its short name ({@code wc}, {@code indexer}, ...) or by the name of a class implementing {@link MapReduceApp}. */
public final class MapReduceApps {
  private static final Map<String, Supplier<MapReduceApp>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("wc", WordCount::new);
    BUILT_IN.put("indexer", Indexer::new);
    BUILT_IN.put("mtiming", MapTiming::new);
    BUILT_IN.put("rtiming", ReduceTiming::new);
    BUILT_IN.put("jobcount", JobCount::new);
    BUILT_IN.put("early_exit", EarlyExit::new);
    BUILT_IN.put("crash", Crash::new);
    BUILT_IN.put("nocrash", NoCrash::new);
  }

  private MapReduceApps() {}

  public static Iterable<String> builtInNames() {
    return BUILT_IN.keySet();
  }

  /** A fresh instance of the app; throws {@link BadJobException} naming the known apps if there is none. */
  public static MapReduceApp load(String nameOrClass) {
    Supplier<MapReduceApp> builtIn = BUILT_IN.get(nameOrClass);
    if (builtIn != null) {
      return builtIn.get();
    }
    String known = "known apps: " + String.join(", ", BUILT_IN.keySet())
        + ", or the name of a class implementing " + MapReduceApp.class.getName();
    Class<?> c;
    try {
      c = Class.forName(nameOrClass);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new BadJobException("unknown app '" + nameOrClass + "'; " + known);
    }
    if (!MapReduceApp.class.isAssignableFrom(c)) {
      throw new BadJobException("class " + nameOrClass + " does not implement " + MapReduceApp.class.getName());
    }
    try {
      return (MapReduceApp) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new BadJobException("cannot instantiate app class " + nameOrClass + " (needs a public no-argument constructor): " + e, e);
    }
  }
}
