package journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import testkit.NoteTaker;

/**
 * Many persistent actors writing at once on one group-commit journal (fsync on): their writes share
 * fsyncs, and each recovers exactly its own events after the ActorSystem restarts.
 */
class GroupCommitBatchingTest {
  private static final int ACTORS = 40;
  private static final int ROUNDS = 25;

  @Test
  void concurrentWritersShareFsyncsAndEachRecoversItsOwnEvents() throws IOException {
    Path journal = GroupCommitJournalTest.freshDir().resolve("group-journal");
    ActorTestKit first = GroupCommitJournalTest.kit(journal, "");
    JournalCounters.Snapshot counted;
    try {
      List<ActorRef<NoteTaker.Command>> takers = new ArrayList<>();
      for (int i = 0; i < ACTORS; i++) takers.add(first.spawn(NoteTaker.create("taker-" + i)));
      TestProbe<Done> done = first.createTestProbe();
      // Every round all actors write at once, each waiting for its own write: what a node's
      // groups do when each has one Ready to persist.
      for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < ACTORS; i++) takers.get(i).tell(new NoteTaker.Take(text(i, r), done.ref()));
        done.receiveSeveralMessages(ACTORS, JournalClient.TIMEOUT);
      }
      counted = GroupCommitJournals.get(first.system()).counters(GroupCommitJournalTest.PLUGIN).snapshot();
    } finally {
      first.shutdownTestKit();
    }
    assertEquals(ACTORS * ROUNDS, counted.writes(), counted::toString);
    assertEquals(ACTORS * ROUNDS, counted.events(), counted::toString);
    // One fsync per write would be 1,000 fsyncs; sharing them, each carries several writes.
    assertTrue(counted.fsyncs() * 3 <= counted.writes(),
        () -> "expected at most one fsync per 3 writes, got " + counted.writesPerFsync() + " writes per fsync: " + counted);
    assertTrue(counted.largestBatchWrites() > 3, counted::toString);

    ActorTestKit second = GroupCommitJournalTest.kit(journal, "");
    try {
      TestProbe<NoteTaker.Notes> notes = second.createTestProbe();
      for (int i = 0; i < ACTORS; i++) {
        ActorRef<NoteTaker.Command> taker = second.spawn(NoteTaker.create("taker-" + i));
        taker.tell(new NoteTaker.GetNotes(notes.ref()));
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) expected.add(text(i, r));
        assertEquals(expected, notes.receiveMessage(JournalClient.TIMEOUT).texts(), "taker-" + i + " recovered");
      }
    } finally {
      second.shutdownTestKit();
    }
  }

  private static String text(int actor, int round) {
    return "taker-" + actor + " note " + round;
  }
}
