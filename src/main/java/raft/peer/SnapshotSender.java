package raft.peer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import wire.Bytes;

/**
 * The leader's half of {@link SnapshotStream}: turns each InstallSnapshot the core sends into a
 * stream of chunks, at most {@code chunksInFlight} beyond what the follower acknowledged, and
 * resumes from the last acknowledged offset when a chunk or its ack is lost (a RESEND, or no
 * progress for {@code timeoutTicks}). The image is never held whole: each chunk is read from the
 * snapshot's {@link SnapshotImage} (its file, opened when the stream starts) when it is sent.
 *
 * <p>The core repeats an InstallSnapshot every few ticks until the follower answers; a repeat of
 * the snapshot being streamed, or streamed less than {@code MAX_IDLE_TIMEOUTS} timeouts ago,
 * changes nothing, so a large image is streamed once, not once per repeat. A stream that made no
 * progress for that long is given up; the core's next repeat starts a new one. Mutable; owned by
 * one peer actor.
 */
final class SnapshotSender {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);
  /** Timeouts without progress after which a stream is given up (the core's next repeat starts a new one). */
  static final int MAX_IDLE_TIMEOUTS = 5;

  private final int chunkBytes;
  private final int chunksInFlight;
  private final int timeoutTicks;
  private final Consumer<SnapshotStream> out;
  private final ImageOpener images;
  private final SplittableRandom streamIds = new SplittableRandom();
  private final Map<PeerId, Outgoing> streams = new HashMap<>();
  private final LongConsumer completed;

  /** Opens the image a snapshot's data stands for. */
  @FunctionalInterface
  interface ImageOpener {
    SnapshotImage open(Snapshot snapshot) throws IOException;
  }

  /**
   * @param images opens a snapshot's image (once per stream; closed when the stream ends)
   * @param out sends a chunk to its addressee
   */
  SnapshotSender(int chunkBytes, int chunksInFlight, int timeoutTicks, ImageOpener images, Consumer<SnapshotStream> out) {
    this(chunkBytes, chunksInFlight, timeoutTicks, images, out, bytes -> {});
  }

  /** As above; {@code completed} gets the image size of each stream the follower acknowledged as COMPLETE. */
  SnapshotSender(int chunkBytes, int chunksInFlight, int timeoutTicks, ImageOpener images, Consumer<SnapshotStream> out,
      LongConsumer completed) {
    if (chunkBytes < 1 || chunksInFlight < 1 || timeoutTicks < 1)
      throw new IllegalArgumentException("chunkBytes, chunksInFlight and timeoutTicks must be >= 1");
    this.chunkBytes = chunkBytes;
    this.chunksInFlight = chunksInFlight;
    this.timeoutTicks = timeoutTicks;
    this.images = images;
    this.out = out;
    this.completed = completed;
  }

  /** One stream of one image to one follower. */
  private final class Outgoing {
    final InstallSnapshot message;
    final SnapshotImage image;
    final long streamId;
    final int imageCrc;
    final int chunks;
    /** Chunks the follower holds (all before this index). */
    int acked;
    /** The next chunk to send. */
    int next;
    int idleTicks;
    int idleTimeouts;
    /** The chunk index of the last RESEND acted on, so that the acks of a window's later chunks do not each rewind again. */
    int rewoundTo = -1;
    /** COMPLETE or refused: nothing more to send. */
    boolean finished;
    /** The follower cannot take this image (format or size): repeats of it are not streamed again. */
    boolean refused;

    Outgoing(InstallSnapshot message, SnapshotImage image) {
      this.message = message;
      this.image = image;
      this.streamId = streamIds.nextLong();
      this.imageCrc = image.crc32c();
      this.chunks = (int) Math.max(1, (image.size() + chunkBytes - 1) / chunkBytes);
    }

    void fill() {
      while (!finished && next < chunks && next - acked < chunksInFlight) send(next++);
    }

    void send(int index) {
      long from = Math.min((long) index * chunkBytes, image.size());
      int length = (int) Math.min(chunkBytes, image.size() - from);
      Bytes data;
      try {
        data = image.read(from, length);
      } catch (IOException e) {
        LOG.error("cannot read {} for stream {} to {}: {}; giving the stream up", image, Long.toHexString(streamId),
            message.to(), e.toString());
        finish();
        return;
      }
      out.accept(new SnapshotStream.Chunk(SnapshotStream.FORMAT_VERSION, message.term(), message.from(), message.to(),
          streamId, message.snapshot().meta(), image.size(), imageCrc, from, SnapshotStream.crc32c(data), data));
    }

    /** Nothing more to send: the image is closed (a newer snapshot may delete its file). */
    void finish() {
      finished = true;
      image.close();
    }

    int chunkAt(long offset) {
      return (int) Math.min(chunks, offset / chunkBytes);
    }

    boolean sameSnapshot(InstallSnapshot m) {
      SnapshotMeta meta = message.snapshot().meta();
      return m.term() == message.term() && m.snapshot().meta().equals(meta)
          && m.snapshot().data().size() == message.snapshot().data().size();
    }
  }

  /** The core sends {@code m}: start streaming it, unless it is the one already being streamed. */
  void send(InstallSnapshot m) {
    Outgoing current = streams.get(m.to());
    // Streaming it, or streamed it lately (the follower may still be writing it: a large image takes
    // seconds to persist, and the core repeats every few ticks meanwhile).
    if (current != null && current.sameSnapshot(m)) return;
    SnapshotImage image;
    try {
      image = images.open(m.snapshot());
    } catch (IOException e) {
      LOG.error("cannot open the image of {} to stream it to {}: {}", m.snapshot().meta().describe(), m.to(), e.toString());
      return;
    }
    if (current != null) current.finish();
    Outgoing o = new Outgoing(m, image);
    streams.put(m.to(), o);
    LOG.info("streaming {} to {} as stream {}: {} bytes in {} chunks", m.snapshot().meta().describe(), m.to(),
        Long.toHexString(o.streamId), image.size(), o.chunks);
    o.fill();
  }

  void onAck(SnapshotStream.Ack a) {
    Outgoing o = streams.get(a.from());
    if (o == null || o.streamId != a.streamId() || o.finished) return;
    switch (a.status()) {
      case RECEIVED -> progress(o, o.chunkAt(a.offset()));
      case COMPLETE -> {
        o.acked = o.chunks;
        long size = o.image.size();
        o.finish();
        completed.accept(size);
        o.idleTicks = 0;
        LOG.debug("stream {} to {} complete", Long.toHexString(o.streamId), a.from());
      }
      case RESEND -> {
        int at = o.chunkAt(a.offset());
        if (at == o.rewoundTo) return;
        LOG.debug("stream {} to {}: resending from byte {}", Long.toHexString(o.streamId), a.from(), a.offset());
        o.rewoundTo = at;
        o.acked = at; // the follower may have dropped what it had (a failed image checksum rewinds to 0)
        o.next = at;
        o.fill();
      }
      case UNSUPPORTED_VERSION, TOO_LARGE -> {
        o.finish();
        o.refused = true;
        LOG.error("{} refused {} ({} bytes): {}. It cannot catch up until both run the same version (format {} here)",
            a.from(), o.message.snapshot().meta().describe(), o.image.size(), a.status(),
            SnapshotStream.FORMAT_VERSION);
      }
    }
  }

  private void progress(Outgoing o, int acked) {
    if (acked <= o.acked) return;
    o.acked = acked;
    o.next = Math.max(o.next, acked);
    o.idleTicks = 0;
    o.idleTimeouts = 0;
    o.rewoundTo = -1;
    o.fill();
  }

  /** One tick: resume streams that made no progress for a timeout; forget those given up. */
  void tick() {
    streams.values().removeIf(o -> {
      if (++o.idleTicks < timeoutTicks) return false;
      if (o.finished) return o.idleTicks >= timeoutTicks * MAX_IDLE_TIMEOUTS;
      o.idleTicks = 0;
      if (++o.idleTimeouts >= MAX_IDLE_TIMEOUTS) {
        LOG.info("giving up stream {} to {}: no progress in {} timeouts", Long.toHexString(o.streamId), o.message.to(),
            o.idleTimeouts);
        o.finish();
        return true;
      }
      LOG.debug("stream {} to {}: no progress for a timeout, resending from chunk {}", Long.toHexString(o.streamId),
          o.message.to(), o.acked);
      o.next = o.acked;
      o.rewoundTo = -1;
      o.fill();
      return false;
    });
  }

  /** Stops every stream (this peer is no longer leader: its snapshots are of no use). */
  void clear() {
    for (Outgoing o : streams.values()) if (!o.finished) o.finish();
    streams.clear();
  }

  /** Streams not yet finished, for tests and status. */
  int active() {
    return (int) streams.values().stream().filter(o -> !o.finished).count();
  }
}
