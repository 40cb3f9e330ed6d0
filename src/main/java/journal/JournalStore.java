package journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.fusesource.leveldbjni.JniDBFactory;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBException;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * The LevelDB of one group-commit journal ({@link JournalKeys} for its layout). Every write goes
 * through a {@link Batch} on the one writer thread ({@link GroupCommitWriter}); replays read from
 * any thread. The persistence id mapping and the highest sequence numbers are kept in memory,
 * loaded at open and updated only after a batch is durable.
 */
final class JournalStore implements AutoCloseable {
  private final Path dir;
  private final DB db;
  private final ReadOptions checked = new ReadOptions().verifyChecksums(true);
  /** Published only once durable, so a replay never sees an id whose mapping could still be lost. */
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  /** Writer thread only. */
  private final Map<Integer, Long> highest = new HashMap<>();
  /** Writer thread only; an id of a failed batch is never reused, which costs nothing. */
  private int nextId;
  /** Replays hold the read side; close takes the write side, so no read touches a closed database. */
  private final ReadWriteLock open = new ReentrantReadWriteLock();
  private boolean closed;

  private JournalStore(Path dir, DB db) {
    this.dir = dir;
    this.db = db;
  }

  /**
   * Opens (creating it if absent) the journal in {@code dir}. Refuses, naming the directories, a
   * database that cannot be opened or read, one that is not a group-commit journal, and a missing
   * or empty {@code dir} while {@code previous} (an earlier journal's directory) holds files.
   */
  static JournalStore open(Path dir, Optional<Path> previous) {
    Path abs = dir.toAbsolutePath();
    if (previous.isPresent() && !holdsFiles(abs) && holdsFiles(previous.get()))
      throw new UnusableJournalException(abs, "does not exist (or is empty) but " + previous.get().toAbsolutePath()
          + " holds an earlier journal: starting on a new empty journal would bring this node's replicas back empty "
          + "under identities that may already have voted. Run this data directory with the raftkv version that wrote "
          + "it, or remove the whole data directory to start this node as a new one");
    DB db;
    try {
      Files.createDirectories(abs);
      // No paranoid checks: with them LevelDB (1.8 here) refuses a log whose last record a crash cut
      // short, and that record is a write whose fsync never returned, so never acknowledged. Without
      // them it drops that tail at open, as Akka's LevelDB journal did. Reads verify checksums.
      db = JniDBFactory.factory.open(abs.toFile(), new Options().createIfMissing(true).paranoidChecks(false));
    } catch (IOException | DBException e) {
      throw new UnusableJournalException(abs, "cannot be opened (corrupt or unreadable): " + e.getMessage()
          + ". Repair or restore it; do not delete it unless this node's replicas may rejoin empty", e);
    }
    JournalStore store = new JournalStore(abs, db);
    try {
      store.load();
    } catch (RuntimeException e) {
      store.close();
      throw e instanceof UnusableJournalException u ? u
          : new UnusableJournalException(abs, "cannot be read (corrupt): " + e, e);
    }
    return store;
  }

  private static boolean holdsFiles(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isPresent();
    } catch (IOException e) {
      return true; // unreadable: treat as present, so nothing starts empty beside it
    }
  }

  private void load() {
    try (DBIterator it = db.iterator(checked)) {
      it.seekToFirst();
      if (!it.hasNext()) {
        db.put(JournalKeys.FORMAT_KEY, JournalKeys.FORMAT.getBytes(StandardCharsets.UTF_8), new WriteOptions().sync(true));
        return;
      }
      byte[] format = db.get(JournalKeys.FORMAT_KEY, checked);
      if (format == null || !JournalKeys.FORMAT.equals(new String(format, StandardCharsets.UTF_8)))
        throw new UnusableJournalException(dir, "holds a LevelDB that is not a " + JournalKeys.FORMAT
            + " (format key " + (format == null ? "missing" : "'" + new String(format, StandardCharsets.UTF_8) + "'") + ")");
      for (it.seek(new byte[] {JournalKeys.MAPPING}); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next();
        if (e.getKey()[0] != JournalKeys.MAPPING) break;
        int id = JournalKeys.intOf(e.getValue());
        ids.put(JournalKeys.persistenceIdOfMapping(e.getKey()), id);
        nextId = Math.max(nextId, id + 1);
      }
      for (it.seek(new byte[] {JournalKeys.HIGHEST}); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> e = it.next();
        if (e.getKey()[0] != JournalKeys.HIGHEST) break;
        highest.put(JournalKeys.idOfHighest(e.getKey()), JournalKeys.longOf(e.getValue()));
      }
    } catch (IOException e) {
      throw new UnusableJournalException(dir, "cannot be read: " + e, e);
    }
  }

  Path dir() {
    return dir;
  }

  /** The highest sequence number written for {@code persistenceId} (0 if none); writer thread only. */
  long highest(String persistenceId) {
    Integer id = ids.get(persistenceId);
    return id == null ? 0 : highest.getOrDefault(id, 0L);
  }

  /**
   * Hands the stored events {@code from..to} of {@code persistenceId} (at most {@code max}) to
   * {@code event} as (sequence nr, serialized bytes), in order; any thread.
   */
  void replay(String persistenceId, long from, long to, long max, BiConsumer<Long, byte[]> event) {
    Integer id = ids.get(persistenceId);
    if (id == null || max <= 0) return;
    open.readLock().lock();
    try {
      if (closed) throw new IllegalStateException("journal " + dir + " is closed");
      try (DBIterator it = db.iterator(checked)) {
        long n = 0;
        for (it.seek(JournalKeys.event(id, Math.max(1, from))); it.hasNext() && n < max; n++) {
          Map.Entry<byte[], byte[]> e = it.next();
          if (!JournalKeys.isEventOf(e.getKey(), id)) break;
          long seq = JournalKeys.sequenceNrOfEvent(e.getKey());
          if (seq > to) break;
          event.accept(seq, e.getValue());
        }
      } catch (IOException e) {
        throw new IllegalStateException("journal " + dir + ": cannot close an iterator: " + e, e);
      }
    } finally {
      open.readLock().unlock();
    }
  }

  Batch newBatch() {
    return new Batch();
  }

  @Override
  public void close() {
    open.writeLock().lock();
    try {
      if (closed) return;
      closed = true;
      db.close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot close journal " + dir + ": " + e, e);
    } finally {
      open.writeLock().unlock();
    }
  }

  /** One LevelDB WriteBatch: applied atomically by {@link #commit}, with one fsync if asked. Writer thread only. */
  final class Batch {
    private final WriteBatch batch = db.createWriteBatch();
    private final Map<String, Integer> newIds = new HashMap<>();
    private final Map<Integer, Long> newHighest = new HashMap<>();
    private int operations;

    /** Adds one event; the highest sequence number of its persistence id moves with it. */
    void append(String persistenceId, long sequenceNr, byte[] bytes) {
      int id = idOf(persistenceId);
      batch.put(JournalKeys.event(id, sequenceNr), bytes);
      newHighest.merge(id, sequenceNr, Math::max);
      operations++;
    }

    /** True if this batch writes events of {@code persistenceId} (a delete of it must wait for them to be durable). */
    boolean writes(String persistenceId) {
      Integer id = newIds.containsKey(persistenceId) ? newIds.get(persistenceId) : ids.get(persistenceId);
      return id != null && newHighest.containsKey(id);
    }

    /**
     * Deletes the stored events of {@code persistenceId} up to {@code toSequenceNr}; the highest
     * sequence number stays. Call only when {@link #writes} is false for it. Returns how many keys.
     */
    long deleteTo(String persistenceId, long toSequenceNr) {
      Integer id = ids.get(persistenceId);
      if (id == null) return 0;
      long upper = Math.min(toSequenceNr, highest.getOrDefault(id, 0L));
      long first;
      try (DBIterator it = db.iterator(checked)) {
        it.seek(JournalKeys.event(id, 1));
        if (!it.hasNext()) return 0;
        byte[] key = it.peekNext().getKey();
        if (!JournalKeys.isEventOf(key, id)) return 0;
        first = JournalKeys.sequenceNrOfEvent(key);
      } catch (IOException e) {
        throw new IllegalStateException("journal " + dir + ": cannot close an iterator: " + e, e);
      }
      for (long s = first; s <= upper; s++) batch.delete(JournalKeys.event(id, s));
      long deleted = Math.max(0, upper - first + 1);
      operations += (int) Math.min(Integer.MAX_VALUE - operations, deleted);
      return deleted;
    }

    boolean isEmpty() {
      return operations == 0;
    }

    /** Writes the batch (with an fsync if {@code sync}); only then are its new ids and highest numbers visible. */
    void commit(boolean sync) {
      try {
        newHighest.forEach((id, seq) -> batch.put(JournalKeys.highest(id), JournalKeys.longValue(seq)));
        db.write(batch, new WriteOptions().sync(sync));
        ids.putAll(newIds);
        highest.putAll(newHighest);
      } finally {
        discard();
      }
    }

    /** Releases the native batch; what it held is not written. */
    void discard() {
      try {
        batch.close();
      } catch (IOException e) {
        throw new IllegalStateException("journal " + dir + ": cannot release a write batch: " + e, e);
      }
    }

    private int idOf(String persistenceId) {
      Integer id = ids.get(persistenceId);
      if (id != null) return id;
      return newIds.computeIfAbsent(persistenceId, pid -> {
        int fresh = nextId++;
        batch.put(JournalKeys.mapping(pid), JournalKeys.intValue(fresh));
        return fresh;
      });
    }
  }
}
