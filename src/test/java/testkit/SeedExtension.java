package testkit;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Hands a {@code long seed} parameter to a test: {@code -Dseed=N} if given, otherwise a fresh
 * random one. On failure it prints the seed and the command that replays the test with it, so
 * every randomized test is reproducible. Every random choice in a test must come from this seed.
 */
public final class SeedExtension implements ParameterResolver, TestWatcher {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SeedExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == long.class && p.getParameter().getName().equals("seed")
        || p.getParameter().isAnnotationPresent(Seed.class);
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getStore(NS).getOrComputeIfAbsent("seed", k -> chooseSeed(), Long.class);
  }

  private static long chooseSeed() {
    String fixed = System.getProperty("seed");
    return fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : ThreadLocalRandom.current().nextLong();
  }

  @Override
  public void testFailed(ExtensionContext e, Throwable cause) {
    Long seed = e.getStore(NS).get("seed", Long.class);
    if (seed != null) {
      String test = e.getRequiredTestClass().getSimpleName() + "#" + e.getRequiredTestMethod().getName();
      System.err.println("seed=" + seed + " (rerun: mvn test -Dtest='" + test + "' -Dseed=" + seed + ")");
    }
  }

  /** Marks a long parameter that is not named {@code seed} as the seed. */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.PARAMETER)
  public @interface Seed {}
}
