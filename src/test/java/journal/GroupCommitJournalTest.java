package journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.fusesource.leveldbjni.JniDBFactory;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.NoteTaker.Note;
import testkit.CorruptLevelDb;
import testkit.SeedExtension;

/**
 * The group-commit journal through Akka's journal protocol, on LevelDB with fsync on under target/.
 * Restarts restart the whole ActorSystem, so what is read back comes from disk.
 */
@ExtendWith(SeedExtension.class)
class GroupCommitJournalTest {
  static final String PLUGIN = "raftkv.group-commit-journal";

  static Path freshDir() throws IOException {
    Path dir = Path.of("target", "group-journal-test", UUID.randomUUID().toString()).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  static ActorTestKit kit(Path journal, String extra) {
    return ActorTestKit.create("journal", ConfigFactory.parseString(extra + "\n"
        + "akka.persistence.journal.plugin = \"" + PLUGIN + "\"\n"
        + PLUGIN + ".dir = \"" + journal + "\"\n")
        .withFallback(ConfigFactory.load()).resolve());
  }

  static void withJournal(Path journal, Consumer<JournalClient> body) {
    ActorTestKit kit = kit(journal, "");
    try {
      body.accept(new JournalClient(kit, PLUGIN));
    } finally {
      kit.shutdownTestKit(); // stops the plugin: its writer finishes and LevelDB closes
    }
  }

  private static List<Object> notes(String pid, long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(s -> (Object) new Note(pid + "-" + s)).toList();
  }

  @Test
  void interleavedPersistenceIdsReplayInOrderAfterARestart() throws IOException {
    Path journal = freshDir().resolve("group-journal");
    withJournal(journal, j -> {
      for (long s = 1; s <= 30; s += 3) {
        // One WriteMessages holding both ids, b's write two events in one atomic write.
        List<Throwable> outcomes = j.write(List.of(
            JournalClient.atomic(JournalClient.event("a", s, new Note("a-" + s))),
            JournalClient.atomic(JournalClient.event("b", s, new Note("b-" + s)),
                JournalClient.event("b", s + 1, new Note("b-" + (s + 1)))),
            JournalClient.atomic(JournalClient.event("a", s + 1, new Note("a-" + (s + 1))),
                JournalClient.event("a", s + 2, new Note("a-" + (s + 2)))),
            JournalClient.atomic(JournalClient.event("b", s + 2, new Note("b-" + (s + 2))))));
        outcomes.forEach(t -> assertNull(t, () -> "rejected: " + t));
      }
      assertEquals(notes("a", 1, 30), j.replayAll("a").payloads());
      assertEquals(30, j.replayAll("b").highest());
    });
    withJournal(journal, j -> {
      JournalClient.Replay a = j.replayAll("a");
      assertEquals(notes("a", 1, 30), a.payloads(), "a's events, in order, from disk");
      assertEquals(LongStream.rangeClosed(1, 30).boxed().toList(), a.sequenceNrs());
      assertEquals(30, a.highest());
      assertEquals(notes("b", 1, 30), j.replayAll("b").payloads());
      assertEquals(notes("a", 11, 15), j.replay("a", 11, 20, 5).payloads(), "from, to and max are honoured");
      assertEquals(notes("b", 25, 30), j.replay("b", 25, 1000, 1000).payloads());
      JournalClient.Replay unknown = j.replayAll("never-written");
      assertTrue(unknown.events().isEmpty());
      assertEquals(0, unknown.highest());
      j.writeNotes("a", 31, 32);
      j.writeNotes("c", 1, 1); // a new id after the restart gets its own number
      assertEquals(notes("a", 29, 32), j.replay("a", 29, Long.MAX_VALUE, Long.MAX_VALUE).payloads());
      assertEquals(notes("c", 1, 1), j.replayAll("c").payloads());
    });
    withJournal(journal, j -> {
      assertEquals(32, j.replayAll("a").highest());
      assertEquals(notes("c", 1, 1), j.replayAll("c").payloads());
      assertEquals(notes("b", 1, 30), j.replayAll("b").payloads(), "c's new id did not take b's");
    });
  }

  @Test
  void deleteMessagesToKeepsTheHighestSequenceNr() throws IOException {
    Path journal = freshDir().resolve("group-journal");
    withJournal(journal, j -> {
      j.writeNotes("a", 1, 10);
      j.writeNotes("b", 1, 10);
      j.deleteTo("a", 4);
      JournalClient.Replay a = j.replayAll("a");
      assertEquals(notes("a", 5, 10), a.payloads());
      assertEquals(10, a.highest());
      assertEquals(notes("b", 1, 10), j.replayAll("b").payloads(), "b's events are not a's");
      j.deleteTo("a", 4); // again: nothing changes
      assertEquals(notes("a", 5, 10), j.replayAll("a").payloads());
      j.deleteTo("a", 1000); // beyond the highest: everything goes, the highest stays
      JournalClient.Replay gone = j.replayAll("a");
      assertTrue(gone.events().isEmpty(), () -> "deleted: " + gone);
      assertEquals(10, gone.highest());
    });
    withJournal(journal, j -> {
      JournalClient.Replay a = j.replayAll("a");
      assertTrue(a.events().isEmpty());
      assertEquals(10, a.highest(), "the highest sequence number survives deleting every event and a restart");
      j.writeNotes("a", 11, 12);
      assertEquals(notes("a", 11, 12), j.replayAll("a").payloads());
      assertEquals(notes("b", 1, 10), j.replayAll("b").payloads());
    });
  }

  @Test
  void anEventThatCannotBeSerializedRejectsOnlyItsOwnAtomicWrite() throws IOException {
    Path journal = freshDir().resolve("group-journal");
    withJournal(journal, j -> {
      Object unserializable = new Object(); // no serializer is bound to Object
      List<Throwable> outcomes = j.write(List.of(
          JournalClient.atomic(JournalClient.event("a", 1, new Note("a-1"))),
          JournalClient.atomic(JournalClient.event("b", 1, new Note("b-1")), JournalClient.event("b", 2, unserializable)),
          JournalClient.atomic(JournalClient.event("a", 2, new Note("a-2")))));
      assertNull(outcomes.get(0));
      assertNotNull(outcomes.get(1), "the write holding the unserializable event is rejected");
      assertNull(outcomes.get(2));
      assertEquals(notes("a", 1, 2), j.replayAll("a").payloads());
      JournalClient.Replay b = j.replayAll("b");
      assertTrue(b.events().isEmpty(), () -> "all or nothing: b-1 went with the rejected write: " + b);
      assertEquals(0, b.highest());
    });
  }

  @Test
  void aCorruptJournalIsRefusedNamingItsDirectory(long seed) throws IOException {
    Path journal = freshDir().resolve("group-journal");
    withJournal(journal, j -> j.writeNotes("a", 1, 5));
    CorruptLevelDb.overwriteManifest(journal, seed);

    UnusableJournalException refused = assertThrows(UnusableJournalException.class,
        () -> GroupCommitJournal.verify(journal, Optional.empty()));
    assertTrue(refused.getMessage().contains(journal.toString()), refused::getMessage);
    assertEquals(journal, refused.directory());
    // The plugin itself answers at once, naming the directory, instead of starting empty.
    withJournal(journal, j -> {
      JournalClient.ReplayFailed failed = assertThrows(JournalClient.ReplayFailed.class, () -> j.replayAll("a"));
      assertTrue(failed.getMessage().contains(journal.toString()), failed::getMessage);
    });
  }

  /**
   * A crash in the middle of a write leaves a cut record at the end of LevelDB's log. That write
   * was never acknowledged (its fsync never returned): the journal opens, every acknowledged event
   * is there, and it goes on writing.
   */
  @Test
  void aRecordCutShortByACrashIsDroppedAndEveryAcknowledgedEventStays(long seed) throws IOException {
    Path journal = freshDir().resolve("group-journal");
    withJournal(journal, j -> j.writeNotes("a", 1, 20));
    Path log;
    try (java.util.stream.Stream<Path> files = Files.list(journal)) {
      log = files.filter(f -> f.getFileName().toString().endsWith(".log")).findFirst().orElseThrow();
    }
    byte[] cut = new byte[700]; // the first part of a write that never finished: no valid record
    new java.util.SplittableRandom(seed).nextBytes(cut);
    Files.write(log, cut, java.nio.file.StandardOpenOption.APPEND);
    GroupCommitJournal.verify(journal, Optional.empty());
    withJournal(journal, j -> {
      assertEquals(notes("a", 1, 20), j.replayAll("a").payloads());
      j.writeNotes("a", 21, 21);
      assertEquals(21, j.replayAll("a").highest());
    });
  }

  @Test
  void aLevelDbThatIsNotAGroupCommitJournalIsRefused() throws IOException {
    Path journal = freshDir().resolve("group-journal");
    try (DB other = JniDBFactory.factory.open(journal.toFile(), new Options().createIfMissing(true))) {
      other.put(new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, new byte[] {1, 2, 3}); // an Akka-style key
    }
    UnusableJournalException refused = assertThrows(UnusableJournalException.class,
        () -> GroupCommitJournal.verify(journal, Optional.empty()));
    assertTrue(refused.getMessage().contains(journal.toString()) && refused.getMessage().contains("not a"),
        refused::getMessage);
  }

  @Test
  void anEarlierJournalWithoutThisOneIsRefusedNamingBoth() throws IOException {
    Path data = freshDir();
    Path earlier = data.resolve("journal");
    Path journal = data.resolve("group-journal");
    Files.createDirectories(earlier);
    Files.writeString(earlier.resolve("CURRENT"), "MANIFEST-000002\n");
    UnusableJournalException refused = assertThrows(UnusableJournalException.class,
        () -> GroupCommitJournal.verify(journal, Optional.of(earlier)));
    assertTrue(refused.getMessage().contains(journal.toString()), refused::getMessage);
    assertTrue(refused.getMessage().contains(earlier.toString()), refused::getMessage);
    assertTrue(!Files.exists(journal), "nothing was created beside the earlier journal");

    // Without the earlier journal the new one starts; once it holds data, a leftover earlier one is ignored.
    Path fresh = freshDir();
    GroupCommitJournal.verify(fresh.resolve("group-journal"), Optional.of(fresh.resolve("journal")));
    Files.createDirectories(fresh.resolve("journal"));
    Files.writeString(fresh.resolve("journal").resolve("CURRENT"), "MANIFEST-000002\n");
    GroupCommitJournal.verify(fresh.resolve("group-journal"), Optional.of(fresh.resolve("journal")));
  }

  @Test
  void countersSeeEveryWrite() throws IOException {
    Path journal = freshDir().resolve("group-journal");
    ActorTestKit kit = kit(journal, "");
    try {
      JournalClient j = new JournalClient(kit, PLUGIN);
      List<akka.persistence.AtomicWrite> writes = new ArrayList<>();
      for (long s = 1; s <= 20; s++) writes.add(JournalClient.atomic(JournalClient.event("a", s, new Note("a-" + s))));
      j.write(writes);
      List<Throwable> rejected = j.write(List.of(JournalClient.atomic(JournalClient.event("b", 1, new Object()))));
      assertNotNull(rejected.get(0));
      JournalCounters.Snapshot c = GroupCommitJournals.get(kit.system()).counters(PLUGIN).snapshot();
      assertEquals(20, c.writes());
      assertEquals(20, c.events());
      assertTrue(c.fsyncs() >= 1 && c.fsyncs() <= 20, c::toString);
      assertTrue(c.bytes() > 0 && c.largestBatchWrites() >= 1, c::toString);
      assertEquals(1, c.rejected(), c::toString);
    } finally {
      kit.shutdownTestKit();
    }
  }
}
