package raft.peer;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;

/**
 * The follower's half of {@link SnapshotStream}: appends the chunks of one stream in order to a
 * temporary file of the peer's {@link SnapshotFiles} (the image is never held in memory: only the
 * chunk in hand is), acknowledges each chunk by the offset up to which it holds the image, and
 * once the image's CRC32C (computed while appending) matches, fsyncs and renames the file and
 * hands the core an InstallSnapshot whose data is the file's reference. A chunk with a bad
 * checksum, a gap or a chunk of an unknown stream is answered RESEND; nothing of it is kept.
 * Mutable; owned by one peer actor.
 */
final class SnapshotReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
  private final PeerId self;
  private final SnapshotFiles files;
  private final int staleTicks;
  private final Consumer<SnapshotStream> out;
  private Incoming current;
  /** The stream whose image went to the core last: late duplicates of it are answered COMPLETE again. */
  private long lastCompleted;
  private long lastCompletedSize = -1;

  /**
   * @param staleTicks ticks without a chunk after which a partial image is dropped (its temporary file deleted)
   * @param out sends an acknowledgement to its addressee
   */
  SnapshotReceiver(PeerId self, SnapshotFiles files, int staleTicks, Consumer<SnapshotStream> out) {
    if (staleTicks < 1) throw new IllegalArgumentException("staleTicks must be >= 1, was " + staleTicks);
    this.self = self;
    this.files = files;
    this.staleTicks = staleTicks;
    this.out = out;
  }

  /** The stream being assembled. */
  private static final class Incoming {
    final SnapshotStream.Chunk first;
    final SnapshotFiles.Incoming file;
    int idleTicks;

    Incoming(SnapshotStream.Chunk first, SnapshotFiles.Incoming file) {
      this.first = first;
      this.file = file;
    }

    long received() {
      return file.size();
    }

    /** Every chunk of a stream must describe the same image as its first. */
    boolean sameImage(SnapshotStream.Chunk c) {
      return c.term() == first.term() && c.from().equals(first.from()) && c.meta().equals(first.meta())
          && c.imageSize() == first.imageSize() && c.imageCrc() == first.imageCrc();
    }
  }

  /** Takes one chunk; returns the whole InstallSnapshot once its last chunk arrived and the image checks out. */
  Optional<InstallSnapshot> onChunk(SnapshotStream.Chunk c) {
    if (!self.equals(c.to())) return Optional.empty();
    if (c.version() != SnapshotStream.FORMAT_VERSION) {
      LOG.error("refused {}: format version {}, this peer reads {}", c.describe(), c.version(),
          SnapshotStream.FORMAT_VERSION);
      return answer(c, 0, SnapshotStream.Status.UNSUPPORTED_VERSION);
    }
    if (c.imageSize() < 0) {
      LOG.error("refused {}: an image of {} bytes", c.describe(), c.imageSize());
      return answer(c, 0, SnapshotStream.Status.TOO_LARGE);
    }
    if (c.streamId() == lastCompleted && c.imageSize() == lastCompletedSize)
      return answer(c, c.imageSize(), SnapshotStream.Status.COMPLETE);
    if (current == null || current.first.streamId() != c.streamId() || !current.sameImage(c)) {
      if (c.offset() != 0) return answer(c, 0, SnapshotStream.Status.RESEND); // its start was lost, or we restarted
      if (current != null) drop("stream " + Long.toHexString(c.streamId()) + " starts");
      LOG.info("receiving {} from {}: {} bytes, stream {}", c.meta().describe(), c.from(), c.imageSize(),
          Long.toHexString(c.streamId()));
      try {
        current = new Incoming(c, files.receive(c.meta().index()));
      } catch (IOException e) {
        LOG.error("cannot write {} to {}: {}", c.describe(), files, e.toString());
        return answer(c, 0, SnapshotStream.Status.RESEND);
      }
    }
    Incoming in = current;
    in.idleTicks = 0;
    if (c.offset() != in.received()) {
      // A duplicate (already held) or a gap (a chunk before it was lost): ask for what is missing.
      return answer(c, in.received(), c.offset() < in.received() ? SnapshotStream.Status.RECEIVED : SnapshotStream.Status.RESEND);
    }
    if (c.offset() + c.data().size() > c.imageSize() || SnapshotStream.crc32c(c.data()) != c.chunkCrc()) {
      LOG.warn("refused {}: its checksum does not match (or it runs past the image); asking again from byte {}",
          c.describe(), in.received());
      return answer(c, in.received(), SnapshotStream.Status.RESEND);
    }
    try {
      in.file.append(c.data());
      if (in.received() < c.imageSize()) return answer(c, in.received(), SnapshotStream.Status.RECEIVED);
      current = null;
      if (in.file.crc() != c.imageCrc()) {
        LOG.warn("refused the image of stream {} ({}, {} bytes): its checksum does not match; asking for it again",
            Long.toHexString(c.streamId()), c.meta().describe(), in.received());
        in.file.abort();
        return answer(c, 0, SnapshotStream.Status.RESEND);
      }
      SnapshotFile file = in.file.complete();
      lastCompleted = c.streamId();
      lastCompletedSize = c.imageSize();
      answer(c, c.imageSize(), SnapshotStream.Status.COMPLETE);
      SnapshotMeta meta = c.meta();
      return Optional.of(new InstallSnapshot(c.term(), c.from(), c.to(), new Snapshot(meta, file.toHandle())));
    } catch (IOException e) {
      LOG.error("cannot write {} to {}: {}; asking for the image again", c.describe(), files, e.toString());
      current = null;
      in.file.abort();
      return answer(c, 0, SnapshotStream.Status.RESEND);
    }
  }

  private void drop(String why) {
    LOG.info("dropping the partial stream {} from {} ({} of {} bytes): {}", Long.toHexString(current.first.streamId()),
        current.first.from(), current.received(), current.first.imageSize(), why);
    current.file.abort();
    current = null;
  }

  private Optional<InstallSnapshot> answer(SnapshotStream.Chunk c, long offset, SnapshotStream.Status status) {
    out.accept(new SnapshotStream.Ack(c.streamId(), self, c.from(), offset, status));
    return Optional.empty();
  }

  /** One tick: a partial image that stopped arriving is dropped, deleting its temporary file. */
  void tick() {
    if (current != null && ++current.idleTicks >= staleTicks) drop("no chunk for " + current.idleTicks + " ticks");
  }

  /** Drops a partial image (the peer stops). */
  void clear() {
    if (current != null) drop("the peer stops");
  }

  /** Bytes of the image being assembled, or -1; for tests. */
  long receiving() {
    return current == null ? -1 : current.received();
  }
}
