package raft.peer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.Bytes;

/**
 * One peer's snapshot images, as files in one directory (etcd's snap directory): the journal and
 * the core hold only a {@link SnapshotFile} reference, never the image. A file is written under a
 * temporary name ({@code tmp-*.part}), fsynced, renamed to {@code snap-<index>-<unique>.snap} and
 * the directory fsynced, all before any journal event references it; a file is deleted only once
 * a newer snapshot is durable ({@link #deleteOlderThan}), and on recovery every file the journal
 * does not reference (a crash between writing a file and persisting its event) goes
 * ({@link #deleteAllBut}).
 *
 * <p>The service writes the snapshots it takes ({@link #write}) from its own actor, the peer
 * writes received ones ({@link #receive}) and deletes; the two never touch the same file (names
 * are unique, and deletion spares temporary files except on recovery, before the service hears of
 * the store), so this class needs no lock.
 */
public final class SnapshotFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
  private static final int BUFFER_BYTES = 64 * 1024;

  private final Path dir;

  /** The store in {@code dir}, created if missing. */
  public SnapshotFiles(Path dir) {
    this.dir = dir.toAbsolutePath();
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the snapshot directory " + this.dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Writes the image of a snapshot at {@code index} to the stream it is given (not to be closed). */
  @FunctionalInterface
  public interface ImageWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes a new image as it is produced, without holding it in memory: temporary name, fsync,
   * rename, directory fsync. On failure nothing is left behind under a snapshot name.
   */
  public SnapshotFile write(long index, ImageWriter writer) throws IOException {
    Incoming in = receive(index);
    boolean done = false;
    try {
      stream(in, writer);
      SnapshotFile f = in.complete();
      done = true;
      return f;
    } finally {
      if (!done) in.abort();
    }
  }

  /**
   * {@link #write}, split: the image is written to its temporary file here (into the page cache,
   * quick), and the fsync, rename and directory fsync run on {@code syncOn}. An actor snapshotting
   * its state is then not blocked on the disk, and neither is every actor sharing its dispatcher.
   * The image is fully written when this returns, so the caller may go on changing its state.
   * On failure (here or in the stage) nothing is left behind under a snapshot name.
   */
  public CompletionStage<SnapshotFile> writeThenSync(long index, ImageWriter writer, Executor syncOn)
      throws IOException {
    Incoming in = receive(index);
    try {
      stream(in, writer);
    } catch (IOException | RuntimeException e) {
      in.abort();
      throw e;
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return in.complete();
      } catch (IOException e) {
        in.abort();
        throw new UncheckedIOException(e);
      }
    }, syncOn);
  }

  private static void stream(Incoming in, ImageWriter writer) throws IOException {
    OutputStream out = new BufferedOutputStream(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        in.append(b, off, len);
      }
    }, BUFFER_BYTES);
    writer.writeTo(out);
    out.flush();
  }

  /** A temporary file to append an image to; {@link Incoming#complete()} makes it a snapshot file. */
  Incoming receive(long index) throws IOException {
    Path tmp = dir.resolve("tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
    return new Incoming(index, tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  /** An image being written. Mutable; used by one thread at a time (handed over by {@link #writeThenSync}). */
  final class Incoming {
    private final long index;
    private final Path tmp;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long size;

    private Incoming(long index, Path tmp, FileChannel channel) {
      this.index = index;
      this.tmp = tmp;
      this.channel = channel;
    }

    void append(Bytes data) throws IOException {
      write(data.asReadOnlyBuffer());
    }

    void append(byte[] b, int off, int len) throws IOException {
      write(ByteBuffer.wrap(b, off, len));
    }

    private void write(ByteBuffer buf) throws IOException {
      crc.update(buf.duplicate());
      size += buf.remaining();
      while (buf.hasRemaining()) channel.write(buf);
    }

    long size() {
      return size;
    }

    int crc() {
      return (int) crc.getValue();
    }

    /** fsync, rename into place, fsync the directory: from now on the file survives a crash. */
    SnapshotFile complete() throws IOException {
      channel.force(true);
      channel.close();
      SnapshotFile f = new SnapshotFile(SnapshotFile.nameFor(index, ThreadLocalRandom.current().nextLong()), index, size,
          crc());
      Files.move(tmp, dir.resolve(f.name()), StandardCopyOption.ATOMIC_MOVE);
      syncDirectory();
      return f;
    }

    /** Drops the partial image. */
    void abort() {
      try {
        channel.close();
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        LOG.warn("could not delete the partial snapshot {}: {}", tmp, e.toString());
      }
    }
  }

  /** The rename is durable only once the directory is: fsync it (where the platform can). */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync the directory {} on this platform: {}", dir, e.toString());
    }
  }

  /**
   * Opens the image of {@code file} for reading.
   *
   * @throws IOException if the file is missing or not of the size its reference says
   */
  public SnapshotImage.InFile open(SnapshotFile file) throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(file.name()), StandardOpenOption.READ);
    long actual = ch.size();
    if (actual != file.size()) {
      ch.close();
      throw new IOException(dir.resolve(file.name()) + " holds " + actual + " bytes, its reference says " + file.size());
    }
    return new SnapshotImage.InFile(file, ch);
  }

  /** Opens the image a snapshot's data refers to, or holds it as is if the data is the image itself. */
  public SnapshotImage open(Bytes data) throws IOException {
    Optional<SnapshotFile> file = SnapshotFile.fromHandle(data);
    return file.isPresent() ? open(file.get()) : SnapshotImage.of(data);
  }

  /** Whether {@code file} is here with the size its reference says. */
  public boolean holds(SnapshotFile file) {
    try {
      return Files.size(dir.resolve(file.name())) == file.size();
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes one snapshot file (one that no durable event references). */
  public void delete(SnapshotFile file) {
    deleteQuietly(dir.resolve(file.name()));
  }

  /**
   * {@code current} is durable: deletes the snapshot files of lower indexes and any other of its
   * index. Files of higher indexes stay (a received image not yet persisted is one).
   */
  public void deleteOlderThan(SnapshotFile current) {
    forEachFile(p -> {
      String name = p.getFileName().toString();
      long index = SnapshotFile.indexOf(name);
      if (index >= 0 && (index < current.index() || index == current.index() && !name.equals(current.name())))
        deleteQuietly(p);
    });
  }

  /** On recovery: deletes every snapshot and temporary file except {@code keep} (the one the journal references). */
  public void deleteAllBut(Optional<SnapshotFile> keep) {
    forEachFile(p -> {
      String name = p.getFileName().toString();
      boolean snap = SnapshotFile.indexOf(name) >= 0;
      boolean tmp = name.startsWith("tmp-") && name.endsWith(".part");
      if ((snap && !(keep.isPresent() && keep.get().name().equals(name))) || tmp) deleteQuietly(p);
    });
  }

  private void forEachFile(java.util.function.Consumer<Path> action) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) action.accept(p);
    } catch (IOException e) {
      LOG.warn("could not list the snapshot directory {}: {}", dir, e.toString());
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
      LOG.debug("deleted {}", p);
    } catch (NoSuchFileException gone) {
      // deleted meanwhile
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", p, e.toString());
    }
  }

  @Override
  public String toString() {
    return "SnapshotFiles(" + dir + ")";
  }
}
