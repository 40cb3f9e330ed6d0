package node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import journal.GroupCommitJournal;
import journal.UnusableJournalException;
import org.junit.jupiter.api.Test;

/**
 * A sharded node's journal is checked before its ActorSystem starts: an Akka LevelDB journal left
 * by an earlier version without a group-commit journal beside it, or a corrupt group-commit
 * journal, stops the node at once with a message naming the directories.
 */
class ShardedJournalTest {
  private static ShardedSpec specIn(Path data) {
    ShardedSpec spec = NodeSettings.shardedSpec(
        NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER));
    return spec.as(spec.self(), data);
  }

  private static Path freshData() throws IOException {
    Path dir = Path.of("target", "sharded-journal-test", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  @Test
  void anEarlierAkkaJournalWithoutTheGroupCommitJournalStopsTheNodeNamingBoth() throws IOException {
    ShardedSpec spec = specIn(freshData());
    Path earlier = spec.dataDir().resolve("journal").toAbsolutePath();
    Files.createDirectories(earlier);
    Files.writeString(earlier.resolve("CURRENT"), "MANIFEST-000002\n"); // what Akka's LevelDB journal leaves
    UnusableJournalException refused = assertThrows(UnusableJournalException.class,
        () -> ShardedNode.start(spec, NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER)));
    assertTrue(refused.getMessage().contains(ShardedNode.journalDir(spec).toString()), refused::getMessage);
    assertTrue(refused.getMessage().contains(earlier.toString()), refused::getMessage);
    assertFalse(Files.exists(ShardedNode.journalDir(spec)), "no empty journal was created beside the earlier one");
  }

  @Test
  void aCorruptGroupCommitJournalStopsTheNodeNamingIt() throws IOException {
    ShardedSpec spec = specIn(freshData());
    Path journal = ShardedNode.journalDir(spec);
    GroupCommitJournal.verify(journal, java.util.Optional.empty()); // creates it
    testkit.CorruptLevelDb.overwriteManifest(journal, 1);
    UnusableJournalException refused = assertThrows(UnusableJournalException.class,
        () -> ShardedNode.start(spec, NodeSettings.load(new File("conf/sharded-node-1.conf"), ShardedNode.NODE_LAYER)));
    assertTrue(refused.getMessage().contains(journal.toString()), refused::getMessage);
  }
}
