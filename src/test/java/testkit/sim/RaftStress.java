package testkit.sim;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs the Raft lab suites (RaftLab3A..3DTest) many times with different seeds, several runs at
 * once (each run is single-threaded, so threads are fine), and reports passes and failures per
 * scenario with the failing seeds. Independent of the JUnit launcher: it calls each
 * {@code @Test void x(long seed)} method directly.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) testkit.sim.RaftStress 10 10 [regex] [baseSeed] [suites]
 * </pre>
 * The report is the program's output (stdout), not a log. Or through JUnit: {@code mvn -B test -Dtest=RaftStressTest -Dstress.rounds=10 -Dstress.parallel=10}.
 */
public final class RaftStress {
  public static final List<String> SUITES =
      List.of("raft.RaftLab3ATest", "raft.RaftLab3BTest", "raft.RaftLab3CTest", "raft.RaftLab3DTest");
  /** A run that takes longer than this in real time counts as a failure (a hang). */
  private static final long RUN_TIMEOUT_SECONDS = 120;

  private RaftStress() {}

  /** Per scenario: passes, failures and the failing seeds with their first error line. */
  public static final class Stats {
    public int passed;
    public int failed;
    public final Map<Long, String> failures = new TreeMap<>();
    long realMillis;
  }

  private record Scenario(Class<?> cls, Method method) {
    String name() {
      return cls.getSimpleName() + "#" + method.getName();
    }
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Pattern filter = Pattern.compile(args.length > 2 ? args[2] : ".*");
    long base = args.length > 3 ? Long.parseLong(args[3]) : System.nanoTime();
    List<String> suites = args.length > 4 ? List.of(args[4].split(",")) : SUITES;
    Map<String, Stats> report = run(suites, rounds, parallel, filter, base);
    System.out.println(format(report, rounds, parallel, base));
    System.exit(report.values().stream().anyMatch(s -> s.failed > 0) ? 1 : 0);
  }

  /** Runs every Raft lab scenario matching {@code filter} {@code rounds} times, {@code parallel} at once. */
  public static Map<String, Stats> run(int rounds, int parallel, Pattern filter, long baseSeed) {
    return run(SUITES, rounds, parallel, filter, baseSeed);
  }

  /** The same over other suites of {@code @Test void x(long seed)} methods (e.g. kvraft.KvRaftLab4Test). */
  public static Map<String, Stats> run(List<String> suites, int rounds, int parallel, Pattern filter, long baseSeed) {
    quietLogs();
    List<Scenario> scenarios = scenarios(suites, filter);
    SplittableRandom seeds = new SplittableRandom(baseSeed);
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "raft-stress");
      t.setDaemon(true);
      return t;
    });
    record Job(Scenario scenario, long seed, Future<String> result) {}
    List<Job> jobs = new ArrayList<>();
    Map<String, Stats> report = new TreeMap<>();
    for (int r = 0; r < rounds; r++) {
      for (Scenario s : scenarios) {
        long seed = seeds.nextLong();
        report.computeIfAbsent(s.name(), k -> new Stats());
        jobs.add(new Job(s, seed, pool.submit(() -> runOne(s, seed, report.get(s.name())))));
      }
    }
    for (Job j : jobs) {
      String error;
      try {
        error = j.result.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        error = "no result within " + RUN_TIMEOUT_SECONDS + " s of real time";
      } catch (Exception e) {
        error = String.valueOf(e);
      }
      Stats st = report.get(j.scenario.name());
      if (error == null) st.passed++;
      else {
        st.failed++;
        st.failures.put(j.seed, error);
      }
    }
    pool.shutdownNow();
    return report;
  }

  private static String runOne(Scenario s, long seed, Stats stats) {
    long t0 = System.nanoTime();
    try {
      Constructor<?> c = s.cls.getDeclaredConstructor();
      c.setAccessible(true);
      s.method.invoke(c.newInstance(), seed);
      return null;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      return cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage());
    } catch (ReflectiveOperationException e) {
      return String.valueOf(e);
    } finally {
      synchronized (stats) {
        stats.realMillis += (System.nanoTime() - t0) / 1_000_000;
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static List<Scenario> scenarios(List<String> suites, Pattern filter) {
    List<Scenario> out = new ArrayList<>();
    for (String name : suites) {
      Class<?> cls;
      try {
        cls = Class.forName(name);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("suite " + name + " not on the class path", e);
      }
      List<Method> methods = new ArrayList<>();
      for (Method m : cls.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Test.class) && !Modifier.isStatic(m.getModifiers())
            && m.getParameterCount() == 1 && m.getParameterTypes()[0] == long.class) {
          m.setAccessible(true);
          methods.add(m);
        }
      }
      methods.sort((a, b) -> a.getName().compareTo(b.getName()));
      for (Method m : methods) {
        Scenario s = new Scenario(cls, m);
        if (filter.matcher(s.name()).find()) out.add(s);
      }
    }
    if (out.isEmpty()) throw new IllegalArgumentException("no scenario matches " + filter);
    return out;
  }

  /** Per-run "Passed" lines would drown the report: raise the lab loggers to WARN. */
  private static void quietLogs() {
    for (String name : List.of("testkit.cluster", "raft")) {
      org.slf4j.Logger l = LoggerFactory.getLogger(name);
      if (l instanceof ch.qos.logback.classic.Logger lb) lb.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  public static String format(Map<String, Stats> report, int rounds, int parallel, long baseSeed) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("Lab stress: %d rounds, %d at once, base seed %d%n", rounds, parallel, baseSeed));
    int pass = 0;
    int fail = 0;
    for (Map.Entry<String, Stats> e : report.entrySet()) {
      Stats s = e.getValue();
      pass += s.passed;
      fail += s.failed;
      sb.append(String.format("  %-45s %4d passed %4d failed  (%.1f s real in total)%n", e.getKey(), s.passed,
          s.failed, s.realMillis / 1000.0));
      for (Map.Entry<Long, String> f : s.failures.entrySet()) {
        sb.append(String.format("      seed=%d  %s%n        rerun: mvn -B test -Dtest='%s' -Dseed=%d%n", f.getKey(),
            f.getValue(), e.getKey(), f.getKey()));
      }
    }
    sb.append(String.format("  total: %d passed, %d failed%n", pass, fail));
    return sb.toString();
  }
}
