package node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import journal.GroupCommitJournals;
import testkit.NoteTaker;

/** A sharded node's /metrics shows its group-commit journal's counters ({@link NodeMetrics#journals}). */
class JournalMetricsTest {
  private static final String PLUGIN = "raftkv.group-commit-journal";
  private static final String LABEL = "journal=\"" + PLUGIN + "\"";

  @Test
  void theScrapeCountsWritesAndFsyncsOfTheJournal() {
    Path dir = Path.of("target", "journal-metrics-test", UUID.randomUUID().toString(), "group-journal").toAbsolutePath();
    ActorTestKit kit = ActorTestKit.create("metrics", ConfigFactory.parseString(
        "akka.persistence.journal.plugin = \"" + PLUGIN + "\"\n" + PLUGIN + ".dir = \"" + dir + "\"\n")
        .withFallback(ConfigFactory.load()).resolve());
    try {
      NodeMetrics metrics = new NodeMetrics("sharded");
      metrics.journals(GroupCommitJournals.get(kit.system()));
      assertTrue(!new String(metrics.scrape(), StandardCharsets.UTF_8).contains("raftkv_journal_writes_total{"),
          "no series before the journal has started");
      List<ActorRef<NoteTaker.Command>> takers = new ArrayList<>();
      for (int i = 0; i < 5; i++) takers.add(kit.spawn(NoteTaker.create("m-" + i)));
      TestProbe<Done> done = kit.createTestProbe();
      for (int r = 0; r < 3; r++) {
        for (ActorRef<NoteTaker.Command> t : takers) t.tell(new NoteTaker.Take("note " + r, done.ref()));
        done.receiveSeveralMessages(takers.size(), Duration.ofSeconds(20));
      }
      String m = new String(metrics.scrape(), StandardCharsets.UTF_8);
      assertEquals(15, OpsRoutesTest.sample(m, "raftkv_journal_writes_total", LABEL), m);
      assertEquals(15, OpsRoutesTest.sample(m, "raftkv_journal_events_total", LABEL), m);
      double fsyncs = OpsRoutesTest.sample(m, "raftkv_journal_fsyncs_total", LABEL);
      assertTrue(fsyncs >= 1 && fsyncs <= 15, m);
      assertTrue(OpsRoutesTest.sample(m, "raftkv_journal_bytes_total", LABEL) > 15 * "note 0".length(), m);
      assertTrue(OpsRoutesTest.sample(m, "raftkv_journal_fsync_seconds_total", LABEL) > 0, m);
      double largest = OpsRoutesTest.sample(m, "raftkv_journal_largest_batch_writes", LABEL);
      assertTrue(largest >= 1 && largest <= 5, m);
      assertEquals(0, OpsRoutesTest.sample(m, "raftkv_journal_rejected_writes_total", LABEL), m);
      assertEquals(0, OpsRoutesTest.sample(m, "raftkv_journal_failed_batches_total", LABEL), m);
    } finally {
      kit.shutdownTestKit();
    }
  }
}
