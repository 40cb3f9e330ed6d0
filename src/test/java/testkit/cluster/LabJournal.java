package testkit.cluster;

import akka.dispatch.Futures;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.japi.AsyncWriteJournal;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * An in-memory journal for the lab scenarios, readable by the tester: the journal of
 * akka-persistence-testkit copies a persistence id's whole event list on every write (a churn run
 * writes tens of thousands of events per peer: quadratic), and Akka's inmem journal cannot be
 * read from outside. Appends are O(1); {@link #events} gives the tester what a restart would replay.
 * Events are kept per ActorSystem (by name) and persistence id.
 */
public final class LabJournal extends AsyncWriteJournal {
  private static final Map<String, Map<String, Stream>> SYSTEMS = new ConcurrentHashMap<>();

  /** One persistence id's events (sequence numbers ascending) and its highest sequence number ever. */
  private static final class Stream {
    final List<PersistentRepr> events = new ArrayList<>();
    long highest;
  }

  private final Map<String, Stream> streams;

  /**
   * With {@code readable = on} (the lab clusters) the events are kept by ActorSystem name for the
   * tester to read, and outlive the system; otherwise (every other test's default journal,
   * application-test.conf) they live and die with this journal, like Akka's inmem journal, which
   * is not used because its deleteMessagesTo is quadratic: one delete of 10,000 events after a
   * snapshot held every peer's writes for seconds (ShardKvServerTest's leaders stepped down).
   */
  public LabJournal(Config config) {
    streams = config.hasPath("readable") && config.getBoolean("readable")
        ? SYSTEMS.computeIfAbsent(context().system().name(), k -> new ConcurrentHashMap<>())
        : new ConcurrentHashMap<>();
  }

  /** The events (payloads) stored for {@code persistenceId} in ActorSystem {@code system}. */
  public static List<Object> events(String system, String persistenceId) {
    Stream s = SYSTEMS.getOrDefault(system, Map.of()).get(persistenceId);
    if (s == null) return List.of();
    synchronized (s) {
      List<Object> out = new ArrayList<>(s.events.size());
      for (PersistentRepr r : s.events) out.add(r.payload());
      return out;
    }
  }

  /** The events stored for {@code persistenceId} with a sequence number above {@code afterSequenceNr}. */
  public static List<Object> eventsAfter(String system, String persistenceId, long afterSequenceNr) {
    Stream s = SYSTEMS.getOrDefault(system, Map.of()).get(persistenceId);
    if (s == null) return List.of();
    synchronized (s) {
      List<Object> out = new ArrayList<>();
      for (PersistentRepr r : s.events) if (r.sequenceNr() > afterSequenceNr) out.add(r.payload());
      return out;
    }
  }

  /** Forgets an ActorSystem's journals. */
  public static void release(String system) {
    SYSTEMS.remove(system);
  }

  private Stream stream(String persistenceId) {
    return streams.computeIfAbsent(persistenceId, k -> new Stream());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    for (AtomicWrite w : messages) {
      Stream s = stream(w.persistenceId());
      synchronized (s) {
        for (PersistentRepr r : CollectionConverters.asJava(w.payload())) {
          s.events.add(r);
          s.highest = Math.max(s.highest, r.sequenceNr());
        }
      }
      results.add(Optional.empty());
    }
    return Futures.successful(results);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    Stream s = stream(persistenceId);
    synchronized (s) {
      s.events.removeIf(r -> r.sequenceNr() <= toSequenceNr);
    }
    return Futures.successful(null);
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replayCallback) {
    Stream s = stream(persistenceId);
    List<PersistentRepr> replay = new ArrayList<>();
    synchronized (s) {
      for (PersistentRepr r : s.events) {
        if (replay.size() >= max) break;
        if (r.sequenceNr() >= fromSequenceNr && r.sequenceNr() <= toSequenceNr) replay.add(r);
      }
    }
    replay.forEach(replayCallback);
    return Futures.successful(null);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    Stream s = stream(persistenceId);
    synchronized (s) {
      return Futures.successful(s.highest);
    }
  }
}
