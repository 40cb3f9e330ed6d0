package raft.peer;

import java.nio.file.Path;

/**
 * A peer refuses to start: its journal references a snapshot file that is not in its snapshot
 * directory, or not of the size the reference says. Starting anyway would lose the state below the
 * snapshot (the journal no longer holds those entries), so the operator decides: restore the file,
 * or remove the journal to rejoin as a new empty peer.
 */
public final class MissingSnapshotFileException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient SnapshotFile file;
  private final transient Path dir;

  public MissingSnapshotFileException(SnapshotFile file, Path dir) {
    super("the journal references the snapshot file " + file.describe() + ", which is missing in " + dir
        + " (or of another size)");
    this.file = file;
    this.dir = dir;
  }

  /** The file the journal references. */
  public SnapshotFile file() {
    return file;
  }

  /** The peer's snapshot directory, where it should be. */
  public Path dir() {
    return dir;
  }
}
