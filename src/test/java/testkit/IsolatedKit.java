package testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@link ActorTestKit} (application-test.conf) whose Akka snapshots go to a fresh directory of
 * its own. The local snapshot store is a directory on disk that outlives the JVM, while the
 * in-memory journal does not: a test that reuses a group name from an earlier run (names built
 * from a counter) recovers that run's snapshot into a group it believes empty. Seen: a fresh
 * shard controller answered its first Join with GidInUse.
 */
public final class IsolatedKit {
  private IsolatedKit() {}

  public static ActorTestKit create(String name) {
    try {
      Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-snapshots")), name + "-");
      return ActorTestKit.create(name, ConfigFactory
          .parseString("akka.persistence.snapshot-store.local.dir = \"" + dir.toAbsolutePath() + "\"")
          .withFallback(ConfigFactory.load("application-test")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
