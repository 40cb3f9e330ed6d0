package raft.peer;

import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import wire.Bytes;

/**
 * The follower's half of {@link SnapshotStream}: assembles the chunks of one stream in order into
 * one buffer allocated once at the image's size (the image is held once: the buffer becomes the
 * snapshot's bytes), acknowledges each chunk by the offset up to which it holds the image, and
 * hands the core a whole InstallSnapshot only when the image's CRC32C matches. A chunk with a bad
 * checksum, a gap or a chunk of an unknown stream is answered RESEND; nothing of it is kept.
 * Mutable; owned by one peer actor.
 */
final class SnapshotReceiver {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
  /** The largest image one Java array holds. */
  static final long MAX_IMAGE_BYTES = Integer.MAX_VALUE - 8;

  private final PeerId self;
  private final int staleTicks;
  private final Consumer<SnapshotStream> out;
  private Incoming current;
  /** The stream whose image went to the core last: late duplicates of it are answered COMPLETE again. */
  private long lastCompleted;
  private long lastCompletedSize = -1;

  /**
   * @param staleTicks ticks without a chunk after which a partial image is dropped (its memory freed)
   * @param out sends an acknowledgement to its addressee
   */
  SnapshotReceiver(PeerId self, int staleTicks, Consumer<SnapshotStream> out) {
    if (staleTicks < 1) throw new IllegalArgumentException("staleTicks must be >= 1, was " + staleTicks);
    this.self = self;
    this.staleTicks = staleTicks;
    this.out = out;
  }

  /** The stream being assembled. */
  private static final class Incoming {
    final SnapshotStream.Chunk first;
    final byte[] image;
    int received;
    int idleTicks;

    Incoming(SnapshotStream.Chunk first) {
      this.first = first;
      this.image = new byte[(int) first.imageSize()];
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
    if (c.imageSize() < 0 || c.imageSize() > MAX_IMAGE_BYTES) {
      LOG.error("refused {}: an image of {} bytes exceeds {}", c.describe(), c.imageSize(), MAX_IMAGE_BYTES);
      return answer(c, 0, SnapshotStream.Status.TOO_LARGE);
    }
    if (c.streamId() == lastCompleted && c.imageSize() == lastCompletedSize)
      return answer(c, c.imageSize(), SnapshotStream.Status.COMPLETE);
    if (current == null || current.first.streamId() != c.streamId() || !current.sameImage(c)) {
      if (c.offset() != 0) return answer(c, 0, SnapshotStream.Status.RESEND); // its start was lost, or we restarted
      if (current != null)
        LOG.info("dropping the partial stream {} ({} of {} bytes): {} starts", Long.toHexString(current.first.streamId()),
            current.received, current.image.length, Long.toHexString(c.streamId()));
      LOG.info("receiving {} from {}: {} bytes, stream {}", c.meta().describe(), c.from(), c.imageSize(),
          Long.toHexString(c.streamId()));
      current = new Incoming(c);
    }
    Incoming in = current;
    in.idleTicks = 0;
    if (c.offset() != in.received) {
      // A duplicate (already held) or a gap (a chunk before it was lost): ask for what is missing.
      return answer(c, in.received, c.offset() < in.received ? SnapshotStream.Status.RECEIVED : SnapshotStream.Status.RESEND);
    }
    if (c.offset() + c.data().size() > in.image.length || SnapshotStream.crc32c(c.data()) != c.chunkCrc()) {
      LOG.warn("refused {}: its checksum does not match (or it runs past the image); asking again from byte {}",
          c.describe(), in.received);
      return answer(c, in.received, SnapshotStream.Status.RESEND);
    }
    c.data().copyTo(in.image, in.received);
    in.received += c.data().size();
    if (in.received < in.image.length) return answer(c, in.received, SnapshotStream.Status.RECEIVED);

    current = null;
    Bytes image = Bytes.wrap(in.image);
    if (SnapshotStream.crc32c(image) != c.imageCrc()) {
      LOG.warn("refused the image of stream {} ({}, {} bytes): its checksum does not match; asking for it again",
          Long.toHexString(c.streamId()), c.meta().describe(), in.image.length);
      return answer(c, 0, SnapshotStream.Status.RESEND);
    }
    lastCompleted = c.streamId();
    lastCompletedSize = c.imageSize();
    answer(c, in.received, SnapshotStream.Status.COMPLETE);
    SnapshotMeta meta = c.meta();
    return Optional.of(new InstallSnapshot(c.term(), c.from(), c.to(), new Snapshot(meta, image)));
  }

  private Optional<InstallSnapshot> answer(SnapshotStream.Chunk c, long offset, SnapshotStream.Status status) {
    out.accept(new SnapshotStream.Ack(c.streamId(), self, c.from(), offset, status));
    return Optional.empty();
  }

  /** One tick: a partial image that stopped arriving is dropped, freeing its buffer. */
  void tick() {
    if (current != null && ++current.idleTicks >= staleTicks) {
      LOG.info("dropping the partial stream {} from {} ({} of {} bytes): no chunk for {} ticks",
          Long.toHexString(current.first.streamId()), current.first.from(), current.received, current.image.length,
          current.idleTicks);
      current = null;
    }
  }

  /** Bytes of the image being assembled, or -1; for tests. */
  long receiving() {
    return current == null ? -1 : current.received;
  }
}
