package journal;

import java.nio.file.Path;

/**
 * A journal directory that must not be used: it is corrupt or unreadable, holds something that is
 * not a group-commit journal, or is missing while an earlier journal is present. The message names
 * the directory (and the earlier journal's). A node refuses to start on it rather than start its
 * replicas empty under identities that may already have voted.
 */
public final class UnusableJournalException extends IllegalStateException {
  private final Path directory;

  public UnusableJournalException(Path directory, String why, Throwable cause) {
    super("journal directory " + directory.toAbsolutePath() + " " + why, cause);
    this.directory = directory.toAbsolutePath();
  }

  public UnusableJournalException(Path directory, String why) {
    this(directory, why, null);
  }

  public Path directory() {
    return directory;
  }
}
