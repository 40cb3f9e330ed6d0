package mapreduce;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file written under a temporary name in the target's directory and renamed into place by
 * {@link #commit()}, so a worker that dies half-way never leaves a partial file under a name that
 * counts. {@link #close()} without a commit deletes the temporary file.
 */
public final class AtomicFile implements AutoCloseable {
  private static final AtomicLong COUNTER = new AtomicLong();

  private static final long PID = ProcessHandle.current().pid();

  private final Path target;
  private final Path tmp;
  private final OutputStream out;
  private boolean closed;
  private boolean committed;

  private AtomicFile(Path target) throws IOException {
    this.target = target;
    // Unique per process and call; the name never matches mr-out-* or mr-X-Y.
    this.tmp = target.toAbsolutePath().getParent().resolve("mr-tmp-" + target.getFileName() + "-" + PID + "-"
        + COUNTER.incrementAndGet());
    // A plain FileOutputStream: the fewest system calls per file (a map task writes one per partition).
    this.out = new FileOutputStream(tmp.toFile());
  }

  public static AtomicFile create(Path target) throws IOException {
    return new AtomicFile(target);
  }

  /** The temporary file's stream, unbuffered: wrap it or write large chunks. */
  public OutputStream stream() {
    return out;
  }

  /** Closes the temporary file and renames it to the target, replacing any earlier one. */
  public void commit() throws IOException {
    closed = true;
    out.close();
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    committed = true;
  }

  @Override
  public void close() throws IOException {
    if (committed) {
      return;
    }
    try {
      if (!closed) {
        closed = true;
        out.close();
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
