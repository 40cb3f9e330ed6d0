package journal;

import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.ActorRef;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.AtomicWrite;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import scala.jdk.javaapi.CollectionConverters;
import testkit.NoteTaker.Note;

/**
 * Talks Akka's journal protocol to one journal plugin, as a persistent actor would (the TCK's way
 * of testing a journal, without ScalaTest): writes, replays and deletes, and waits for the answers.
 */
final class JournalClient {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** One replayed event. */
  record Replayed(long sequenceNr, Object payload) {}

  /** What a replay gave: the events in order and the highest sequence number the journal reported. */
  record Replay(List<Replayed> events, long highest) {
    List<Object> payloads() {
      return events.stream().map(Replayed::payload).toList();
    }

    List<Long> sequenceNrs() {
      return events.stream().map(Replayed::sequenceNr).toList();
    }
  }

  private final ActorRef journal;
  private final TestProbe<Object> probe;
  private final ActorRef self;

  JournalClient(ActorTestKit kit, String pluginId) {
    this.journal = Persistence.get(Adapter.toClassic(kit.system())).journalFor(pluginId, ConfigFactory.empty());
    this.probe = kit.createTestProbe();
    this.self = Adapter.toClassic(probe.ref());
  }

  static PersistentRepr event(String persistenceId, long sequenceNr, Object payload) {
    return PersistentRepr.apply(payload, sequenceNr, persistenceId, "", false, ActorRef.noSender(), "writer-1");
  }

  static AtomicWrite atomic(PersistentRepr... events) {
    return AtomicWrite.apply(CollectionConverters.asScala(List.of(events)).toList());
  }

  /**
   * Writes {@code writes} in one WriteMessages; returns per atomic write null if it was written,
   * else the rejection's cause. Fails the test if the whole batch failed.
   */
  List<Throwable> write(List<AtomicWrite> writes) {
    List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
    journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), self, 1), self);
    Object first = probe.receiveMessage(TIMEOUT);
    if (first instanceof JournalProtocol.WriteMessagesFailed f) fail("the batch failed: " + f.cause(), f.cause());
    if (!(first instanceof JournalProtocol.WriteMessagesSuccessful$)) fail("unexpected " + first);
    List<Throwable> outcomes = new ArrayList<>();
    for (AtomicWrite w : writes) {
      Throwable outcome = null;
      for (int i = 0; i < w.size(); i++) {
        Object m = probe.receiveMessage(TIMEOUT);
        if (m instanceof JournalProtocol.WriteMessageRejected r) outcome = r.cause();
        else if (!(m instanceof JournalProtocol.WriteMessageSuccess)) fail("unexpected " + m);
      }
      outcomes.add(outcome);
    }
    return outcomes;
  }

  /** Writes one event per sequence number {@code from..to} of {@code persistenceId}, each its own atomic write. */
  void writeNotes(String persistenceId, long from, long to) {
    List<AtomicWrite> writes = new ArrayList<>();
    for (long s = from; s <= to; s++) writes.add(atomic(event(persistenceId, s, new Note(persistenceId + "-" + s))));
    for (Throwable t : write(writes)) if (t != null) fail("rejected: " + t, t);
  }

  Replay replay(String persistenceId, long from, long to, long max) {
    journal.tell(new JournalProtocol.ReplayMessages(from, to, max, persistenceId, self), self);
    List<Replayed> events = new ArrayList<>();
    while (true) {
      Object m = probe.receiveMessage(TIMEOUT);
      if (m instanceof JournalProtocol.ReplayedMessage r)
        events.add(new Replayed(r.persistent().sequenceNr(), r.persistent().payload()));
      else if (m instanceof JournalProtocol.RecoverySuccess s) return new Replay(events, s.highestSequenceNr());
      else if (m instanceof JournalProtocol.ReplayMessagesFailure f) throw new ReplayFailed(f.cause());
      else fail("unexpected " + m);
    }
  }

  Replay replayAll(String persistenceId) {
    return replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  void deleteTo(String persistenceId, long toSequenceNr) {
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, self), self);
    Object m = probe.receiveMessage(TIMEOUT);
    if (!(m instanceof akka.persistence.DeleteMessagesSuccess)) fail("unexpected " + m);
  }

  /** The journal answered a replay with a failure. */
  static final class ReplayFailed extends RuntimeException {
    ReplayFailed(Throwable cause) {
      super(String.valueOf(cause.getMessage()), cause);
    }
  }
}
