package raft.peer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import raft.Describable;
import wire.Bytes;

/**
 * A snapshot image written to a peer's {@link SnapshotFiles}: the file's name (which carries the
 * snapshot's index), its size and CRC32C. The core and the journal never see the image, only this
 * reference, encoded as a snapshot's opaque data by {@link #toHandle()} (a few dozen bytes): the
 * image exists once per peer, as that file.
 *
 * <p>A handle starts with a magic that no image written by {@code raft.rsm.Replica} can start with
 * (an image starts with its applied index, a long whose first byte is 0 below 2^56) and ends with
 * its own CRC32C, so {@link #fromHandle} tells a handle from the image bytes that journals written
 * before snapshot files hold. Handles are made only locally: data that arrives from the network is
 * always treated as image bytes.
 */
public record SnapshotFile(String name, long index, long size, int crc) implements Describable {
  private static final byte[] MAGIC = {(byte) 0xFF, 'R', 'A', 'F', 'T', 'S', 'N', 'P'};
  private static final int VERSION = 1;
  private static final Pattern NAME = Pattern.compile("snap-(\\d{20})-[0-9a-f]{16}\\.snap");
  /** The longest handle: magic, version, name (under 64 bytes), index, size, crc, own crc. */
  private static final int MAX_HANDLE_BYTES = 128;

  public SnapshotFile {
    var m = NAME.matcher(name);
    if (!m.matches()) throw new IllegalArgumentException("not a snapshot file name: " + name);
    if (Long.parseLong(m.group(1)) != index) throw new IllegalArgumentException(name + " is not of index " + index);
    if (size < 0) throw new IllegalArgumentException("negative size " + size);
  }

  static String nameFor(long index, long unique) {
    return String.format("snap-%020d-%016x.snap", index, unique);
  }

  /** The index a file name carries, or -1 if it is not a snapshot file's name. */
  static long indexOf(String fileName) {
    var m = NAME.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** This reference as a snapshot's data. */
  public Bytes toHandle() {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(96);
      DataOutputStream out = new DataOutputStream(buf);
      out.write(MAGIC);
      out.writeByte(VERSION);
      out.writeUTF(name);
      out.writeLong(index);
      out.writeLong(size);
      out.writeInt(crc);
      out.writeInt(crcOf(buf.toByteArray()));
      return Bytes.wrap(buf.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reference {@code data} encodes, or empty if it is image bytes (a snapshot not held in a file). */
  public static Optional<SnapshotFile> fromHandle(Bytes data) {
    if (data.size() < MAGIC.length + 4 || data.size() > MAX_HANDLE_BYTES) return Optional.empty();
    byte[] b = data.toArray();
    if (!Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) return Optional.empty();
    int body = b.length - 4;
    int own = ((b[body] & 0xFF) << 24) | ((b[body + 1] & 0xFF) << 16) | ((b[body + 2] & 0xFF) << 8) | (b[body + 3] & 0xFF);
    if (own != crcOf(Arrays.copyOf(b, body))) return Optional.empty();
    try {
      DataInputStream in = new DataInputStream(data.newInputStream());
      in.skipNBytes(MAGIC.length);
      int version = in.readUnsignedByte();
      if (version != VERSION) throw new IllegalArgumentException("snapshot file reference of version " + version);
      return Optional.of(new SnapshotFile(in.readUTF(), in.readLong(), in.readLong(), in.readInt()));
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt snapshot file reference: " + e, e);
    }
  }

  private static int crcOf(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return (int) c.getValue();
  }

  public String describe() {
    return name + " (" + size + " bytes)";
  }
}
