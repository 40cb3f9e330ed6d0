package node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's servers as this node last read them from the controller's record, kept in
 * {@code <data-dir>/controller-servers} (one entity id a line), so that a node restarting after
 * the controller's replicas moved away from every node its config file names still reaches the
 * controller. Only a starting point: the controller's record is the truth, and a stale file costs
 * nothing but a few unanswered attempts (a replica that was retired refuses to start; one never
 * created there has no birth certificate and refuses too).
 */
final class KnownControllers {
  private static final Logger LOG = LoggerFactory.getLogger(KnownControllers.class);
  static final String FILE = "controller-servers";

  private KnownControllers() {}

  /** The servers written last; empty if none (no controller move seen, or a node older than this file). */
  static List<String> read(Path dataDir) {
    Path f = dataDir.resolve(FILE);
    try {
      if (!Files.exists(f)) return List.of();
      return Files.readAllLines(f, StandardCharsets.UTF_8).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    } catch (IOException e) {
      LOG.warn("cannot read {} ({}); the config file's controller list is used", f, e.toString());
      return List.of();
    }
  }

  /** Replaces the file atomically (a crash leaves the old one or the new one). */
  static void write(Path dataDir, List<String> servers) {
    Path f = dataDir.resolve(FILE);
    Path tmp = dataDir.resolve(FILE + ".tmp");
    try {
      Files.write(tmp, servers, StandardCharsets.UTF_8);
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("cannot write {} ({}); a restart finds the controller from the config file's list", f, e.toString());
    }
  }
}
