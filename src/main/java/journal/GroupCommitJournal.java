package journal;

import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.japi.AsyncWriteJournal;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;

/**
 * An Akka persistence journal plugin on LevelDB that group-commits: one writer thread per plugin
 * ({@link GroupCommitWriter}) writes everything that arrived during the previous write as one
 * batch with one fsync, so all the Raft groups of a node share their fsyncs. Each atomic write is
 * all or nothing (one LevelDB batch is); an event that cannot be serialized rejects only its own
 * atomic write. Events are {@code PersistentRepr}s serialized by Akka serialization, as Akka's
 * LevelDB journal stores them; the key layout is ours ({@link JournalKeys}), in a directory of its
 * own, so an Akka-format journal is never opened by this plugin.
 *
 * <p>Settings (under the plugin id, with Akka's journal-plugin-fallback): {@code dir}, {@code fsync}
 * (on: every batch is fsynced before any of its writes is acknowledged) and {@code previous-dir}
 * (empty, or an earlier journal's directory: if that holds files while {@code dir} does not, the
 * journal refuses to start, see {@link JournalStore#open}). A journal that cannot be used answers
 * every request with the {@link UnusableJournalException} naming its directory, so a replica's
 * recovery fails at once with that cause instead of waiting for a timeout.
 */
public final class GroupCommitJournal extends AsyncWriteJournal {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitJournal.class);

  private final Path dir;
  private final Serialization serialization;
  private final Executor replays;
  private final JournalStore store;
  private final GroupCommitWriter writer;
  private final UnusableJournalException unusable;

  public GroupCommitJournal(Config config, String configPath) {
    this.dir = Path.of(config.getString("dir")).toAbsolutePath();
    this.serialization = SerializationExtension.get(context().system());
    this.replays = context().system().dispatchers().lookup(config.hasPath("replay-dispatcher")
        ? config.getString("replay-dispatcher") : "akka.persistence.dispatchers.default-replay-dispatcher");
    String previous = config.hasPath("previous-dir") ? config.getString("previous-dir") : "";
    JournalCounters counters = GroupCommitJournals.get(context().system()).counters(configPath);
    JournalStore opened = null;
    UnusableJournalException refused = null;
    try {
      opened = JournalStore.open(dir, previous.isEmpty() ? Optional.empty() : Optional.of(Path.of(previous)));
    } catch (UnusableJournalException e) {
      refused = e;
      LOG.error("journal plugin {} refuses to start: {}", configPath, e.getMessage());
    }
    this.store = opened;
    this.unusable = refused;
    this.writer = opened == null ? null : new GroupCommitWriter(opened, config.getBoolean("fsync"), counters);
  }

  /** Opens and closes the journal in {@code dir}: throws the {@link UnusableJournalException} the plugin would refuse with. */
  public static void verify(Path dir, Optional<Path> previous) {
    JournalStore.open(dir, previous).close();
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    if (unusable != null) return failed();
    List<GroupCommitWriter.PreparedWrite> prepared = new ArrayList<>();
    for (AtomicWrite w : messages) prepared.add(prepare(w));
    return FutureConverters.asScala(writer.append(prepared).thenApply(r -> (Iterable<Optional<Exception>>) r));
  }

  /** Serializes on the journal actor's thread, so that work overlaps the writer's fsync. */
  private GroupCommitWriter.PreparedWrite prepare(AtomicWrite w) {
    List<GroupCommitWriter.Event> events = new ArrayList<>(w.size());
    for (PersistentRepr p : CollectionConverters.asJava(w.payload())) {
      Try<byte[]> bytes = serialization.serialize(p);
      if (bytes.isFailure()) {
        Throwable t = bytes.failed().get();
        return GroupCommitWriter.PreparedWrite.rejected(w.persistenceId(),
            t instanceof Exception e ? e : new IllegalStateException(t.toString(), t));
      }
      events.add(new GroupCommitWriter.Event(p.sequenceNr(), bytes.get()));
    }
    return GroupCommitWriter.PreparedWrite.of(w.persistenceId(), events);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    if (unusable != null) return failed();
    return FutureConverters.asScala(writer.deleteTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replayCallback) {
    if (unusable != null) return failed();
    return FutureConverters.asScala(CompletableFuture.runAsync(() -> store.replay(persistenceId, fromSequenceNr,
        toSequenceNr, max, (seq, bytes) -> replayCallback.accept(deserialize(persistenceId, seq, bytes))), replays));
  }

  private PersistentRepr deserialize(String persistenceId, long sequenceNr, byte[] bytes) {
    Try<PersistentRepr> repr = serialization.deserialize(bytes, PersistentRepr.class);
    if (repr.isFailure())
      throw new UnusableJournalException(dir, "holds event " + sequenceNr + " of " + persistenceId
          + " that cannot be deserialized: " + repr.failed().get(), repr.failed().get());
    return repr.get();
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    if (unusable != null) return failed();
    return FutureConverters.asScala(writer.highest(persistenceId));
  }

  private <T> Future<T> failed() {
    return FutureConverters.asScala(CompletableFuture.failedFuture(unusable));
  }

  @Override
  public void postStop() throws Exception {
    if (writer != null) writer.close(); // writes what is queued first
    if (store != null) store.close();
    super.postStop();
  }
}
