package raft.peer;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import raft.PeerId;

/**
 * One LevelDB journal plugin per peer ({@code raftkv.journal.<peer>}, each in its own directory)
 * for running several peers in one ActorSystem. The LevelDB journal has a single writer thread per
 * plugin id; separate plugins let each peer fsync on its own, as separate machines would.
 */
public final class LevelDbJournals {
  private LevelDbJournals() {}

  public static String pluginId(PeerId peer) {
    return "raftkv.journal." + peer.id();
  }

  /**
   * Plugin definitions for {@code peers} under {@code dir/<peer>/journal}, snapshots under
   * {@code dir/snapshots}; put in front of the application config and {@code resolve()}.
   * Creates the parent directories (LevelDB creates only the last one).
   */
  public static Config config(Path dir, Collection<PeerId> peers, boolean fsync) {
    StringBuilder hocon = new StringBuilder();
    for (PeerId p : peers) {
      try {
        Files.createDirectories(dir.resolve(p.id()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create journal directory for " + p + " under " + dir, e);
      }
      hocon.append(pluginId(p)).append(" = ${akka.persistence.journal.leveldb} {\n")
          .append("  dir = \"").append(dir.resolve(p.id()).resolve("journal").toAbsolutePath()).append("\"\n")
          .append("  native = on\n")
          .append("  fsync = ").append(fsync ? "on" : "off").append("\n}\n");
    }
    hocon.append("akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.local\"\n");
    hocon.append("akka.persistence.snapshot-store.local.dir = \"")
        .append(dir.resolve("snapshots").toAbsolutePath()).append("\"\n");
    return ConfigFactory.parseString(hocon.toString());
  }

  /** Settings that put {@code peer} on its own journal plugin from {@link #config}. */
  public static PeerSettings on(PeerSettings settings, PeerId peer) {
    return settings.withJournalPluginId(pluginId(peer));
  }
}
