package testkit.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.japi.Pair;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.SnapshotMeta;
import akka.persistence.testkit.javadsl.SnapshotTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import raft.message.LogEntry;
import raft.peer.SnapshotFile;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import wire.Bytes;

/**
 * The ActorSystem the lab scenarios run the shipped actors in: ManualTime ({@link VirtualScheduler}), an in-memory journal
 * ({@link LabJournal}) and akka-persistence-testkit's snapshot store, messages not serialized, and every dispatcher on one {@link IdleExecutor}, so {@link ActorClock} knows when the actors
 * have settled. One per test class ({@code @BeforeAll}); each cluster gets its own Raft group.
 */
public final class LabActorSystem implements AutoCloseable {
  private static final AtomicInteger SYSTEMS = new AtomicInteger();
  private static final String[] DISPATCHERS = {
    "akka.actor.default-dispatcher",
    "akka.actor.internal-dispatcher",
    "akka.actor.default-blocking-io-dispatcher",
    "akka.persistence.dispatchers.default-plugin-dispatcher",
    "akka.persistence.dispatchers.default-replay-dispatcher",
    "akka.persistence.dispatchers.default-stream-dispatcher",
  };

  private final String key;
  /** Where the peers' snapshot files live (deleted on close). */
  private final Path files;
  private final ActorTestKit kit;
  private final VirtualScheduler time;
  private final SnapshotTestKit snapshots;
  private final AtomicInteger groups = new AtomicInteger();

  private LabActorSystem(String key, Config config, Path files) {
    this.key = key;
    this.files = files;
    this.kit = ActorTestKit.create(key, config);
    this.snapshots = SnapshotTestKit.create(kit.system());
    this.time = (VirtualScheduler) akka.actor.typed.javadsl.Adapter.toClassic(kit.system()).scheduler();
  }

  public static LabActorSystem start() {
    String key = "lab-" + SYSTEMS.incrementAndGet();
    StringBuilder idle = new StringBuilder();
    for (String d : DISPATCHERS) {
      idle.append(d).append(" { type = Dispatcher, executor = \"").append(IdleExecutor.class.getName())
          .append("\", idle-executor.key = \"").append(key).append("\" }\n");
    }
    // Not serialized here (the wire format has its own tests, and every other actor suite runs with
    // serialize-messages on): copying every message and event through CBOR took most of the CPU.
    idle.append("akka.actor.serialize-messages = off\n");
    idle.append("akka.persistence.journal.plugin = lab-journal\n");
    idle.append("lab-journal { class = \"" + LabJournal.class.getName() + "\", plugin-dispatcher = \"akka.actor.default-dispatcher\", readable = on }\n");
    // The peers' snapshot files go next to the journal's "dir" (raft.peer.SnapshotDirectory): in
    // memory, like the lab's persister. The same write, fsync and rename, but on disk the fsyncs of a
    // snapshot per applied entry (maxraftstate 1, 100) took most of the real time of the lab 5 suite.
    Path files = memoryDirectory(key);
    idle.append("lab-journal.dir = \"" + files.resolve("journal").toString().replace("\\", "/") + "\"\n");
    idle.append("akka.persistence.testkit.snapshots.serialize = off\n");
    Config config = ConfigFactory.parseString(idle.toString())
        .withFallback(ConfigFactory.parseString("akka.scheduler.implementation = \"" + VirtualScheduler.class.getName() + "\""))
        .withFallback(ManualTime.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
    return new LabActorSystem(key, config, files);
  }

  public ActorTestKit kit() {
    return kit;
  }

  /** The events a restart of {@code persistenceId} would replay. */
  public List<Object> events(String persistenceId) {
    return LabJournal.events(key, persistenceId);
  }

  /**
   * The durable Raft state a restart of {@code persistenceId} would recover, rebuilt as recovery
   * does: the latest Akka snapshot (an image of the state), then the journal's later events.
   */
  public DurableState recoveredRaftState(String persistenceId) {
    List<Pair<SnapshotMeta, Object>> stored = snapshots.persistedInStorage(persistenceId);
    DurableState state = new DurableState();
    long after = 0;
    for (Pair<SnapshotMeta, Object> s : stored) {
      if (s.first().sequenceNr() <= after) continue;
      state = DurableState.fromImage((DurableState.Image) s.second());
      after = s.first().sequenceNr();
    }
    for (Object e : LabJournal.eventsAfter(key, persistenceId, after)) state = state.updated((RaftEvent) e);
    return state;
  }

  /**
   * The lab's RaftStateSize() of one peer: what a restart would replay besides the snapshot, the
   * hard state (counted as 24 bytes) and the log entries after the snapshot.
   */
  public long raftStateSize(String persistenceId) {
    long size = 24;
    for (LogEntry e : recoveredRaftState(persistenceId).image().entries()) size += e.sizeBytes();
    return size;
  }

  /**
   * The lab's SnapshotSize() of one peer: the bytes of its snapshot's image. The journal holds only
   * a reference to the image's file ({@link SnapshotFile}); the file's size is what counts.
   */
  public long snapshotSize(String persistenceId) {
    Bytes data = recoveredRaftState(persistenceId).snapshot().data();
    return SnapshotFile.fromHandle(data).map(SnapshotFile::size).orElse((long) data.size());
  }

  /** A fresh virtual clock at 0 over this system's ManualTime. */
  public ActorClock newClock() {
    return new ActorClock(time, IdleExecutor.tracker(key));
  }

  /** A Raft group name not used before in this system (journals outlive clusters). */
  public String nextGroup() {
    return "g" + groups.incrementAndGet();
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
    IdleExecutor.release(key);
    LabJournal.release(key);
    deleteTree(files);
  }

  /** A new directory in memory (/dev/shm) where there is one, else in the temporary directory. */
  private static Path memoryDirectory(String key) {
    Path shm = Paths.get("/dev/shm");
    try {
      return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "raftkv-" + key + "-")
          : Files.createTempDirectory("raftkv-" + key + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the snapshot files", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: the OS cleans it up eventually
    }
  }
}
