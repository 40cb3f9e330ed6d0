package raft.peer;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.stream.Stream;
import raft.GroupId;
import raft.PeerId;

/**
 * Where a peer keeps its snapshot files: next to its journal, so they live exactly as long as it.
 * A journal plugin with a {@code dir} (LevelDB) gets {@code <dir>/../snapshot-files/<group>/<peer>};
 * a journal without one (the in-memory journal of tests, which lives as long as its ActorSystem)
 * gets a temporary directory of that ActorSystem, deleted when the system terminates.
 */
final class SnapshotDirectory {
  private SnapshotDirectory() {}

  private static final Map<ActorSystem<?>, Path> TEMPORARY = new WeakHashMap<>();

  static Path of(ActorSystem<?> system, String journalPluginId, GroupId group, PeerId self) {
    Config config = system.settings().config();
    String plugin = journalPluginId.isEmpty() ? config.getString("akka.persistence.journal.plugin") : journalPluginId;
    Path base = !plugin.isEmpty() && config.hasPath(plugin + ".dir")
        ? Paths.get(config.getString(plugin + ".dir")).toAbsolutePath().resolveSibling("snapshot-files")
        : temporary(system);
    return base.resolve(safe(group.id())).resolve(safe(self.id()));
  }

  private static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static synchronized Path temporary(ActorSystem<?> system) {
    return TEMPORARY.computeIfAbsent(system, s -> {
      try {
        Path dir = Files.createTempDirectory("raftkv-snapshots-" + safe(s.name()) + "-");
        s.getWhenTerminated().thenRun(() -> deleteTree(dir));
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary snapshot directory", e);
      }
    });
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: the OS cleans it up eventually
    }
  }
}
