package raft.peer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.zip.CRC32C;
import raft.PeerId;
import raft.message.SnapshotMeta;
import wire.Bytes;
import wire.CborSerializable;

/**
 * How a leader's snapshot crosses the network: the peer layer splits an {@code InstallSnapshot}
 * into chunks ({@link SnapshotSender}) and the follower's peer reassembles them
 * ({@link SnapshotReceiver}) before the core sees one whole InstallSnapshot, as etcd's transport
 * streams its snapshot messages. The core knows nothing of chunks.
 *
 * <p>Every chunk names its stream (a random id per attempt), carries the image's size and CRC32C
 * and its own CRC32C; the follower acknowledges each by the offset up to which it holds the image
 * intact, so a lost, duplicated, reordered or corrupt chunk costs a resend from that offset, and
 * the image is handed to the core only once its checksum matches.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SnapshotStream.Chunk.class, name = "Chunk"),
  @JsonSubTypes.Type(value = SnapshotStream.Ack.class, name = "Ack"),
})
public sealed interface SnapshotStream extends CborSerializable {
  /** The chunk format this code writes and reads; a receiver refuses any other. */
  int FORMAT_VERSION = 1;

  PeerId from();

  PeerId to();

  long streamId();

  String describe();

  /**
   * Bytes {@code offset .. offset + data.size()} of the image of {@code meta} (term {@code term} of
   * the leader {@code from}), which is {@code imageSize} bytes long with CRC32C {@code imageCrc}.
   */
  record Chunk(int version, long term, PeerId from, PeerId to, long streamId, SnapshotMeta meta, long imageSize,
      int imageCrc, long offset, int chunkCrc, Bytes data) implements SnapshotStream {
    @Override
    public String describe() {
      return "snapshot chunk " + from + "->" + to + " stream " + Long.toHexString(streamId) + " [" + meta.describe()
          + ", bytes " + offset + ".." + (offset + data.size()) + " of " + imageSize + "]";
    }
  }

  /** What the follower answers to each chunk. */
  enum Status {
    /** Every byte before {@code offset} arrived intact: send on from there. */
    RECEIVED,
    /** The whole image arrived with a matching checksum and went to the core. */
    COMPLETE,
    /** A chunk was missing, corrupt or of an unknown stream (or the image failed its checksum): send again from {@code offset}. */
    RESEND,
    /** The chunk's format version is not {@link #FORMAT_VERSION}: nothing will be installed. */
    UNSUPPORTED_VERSION,
    /** The image is larger than one buffer can hold: nothing will be installed. */
    TOO_LARGE
  }

  record Ack(long streamId, PeerId from, PeerId to, long offset, Status status) implements SnapshotStream {
    @Override
    public String describe() {
      return "snapshot ack " + from + "->" + to + " stream " + Long.toHexString(streamId) + " " + status + " at " + offset;
    }
  }

  /** CRC32C (Castagnoli) of {@code data}, over a view: copies nothing. */
  static int crc32c(Bytes data) {
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyBuffer());
    return (int) crc.getValue();
  }
}
