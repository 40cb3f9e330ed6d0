package mapreduce.apps;

import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code crash}: like {@link NoCrash}, but every map and reduce call first draws r in [0, 1000):
 * below 330 the process halts at once (a crash, no shutdown hooks), below 660 it sleeps 0-9999 ms.
 */
public final class Crash extends NoCrash {
  private static final Logger log = LoggerFactory.getLogger(Crash.class);

  @Override
  protected void maybeCrash() {
    int r = ThreadLocalRandom.current().nextInt(1000);
    if (r < 330) {
      log.warn("crash app: r={} -> halting process {}", r, ProcessHandle.current().pid());
      Runtime.getRuntime().halt(1);
    } else if (r < 660) {
      int ms = ThreadLocalRandom.current().nextInt(10_000);
      log.info("crash app: r={} -> sleeping {} ms", r, ms);
      Parallelism.sleep(ms);
    }
  }

  @Override
  public String name() {
    return "crash";
  }
}
