package mapreduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes one intermediate file ({@code mr-X-Y}, or a merge pass's run): a sorted run of distinct
 * keys, each with its values, through one reused buffer, atomically ({@link AtomicFile}).
 *
 * <p>Format: the magic {@code MRK1}; per key a tag byte 1, the key, a varint value count and the
 * values, every string a varint byte length and its UTF-8 bytes; then a tag byte 0, the number of
 * keys (8 bytes) and the CRC-32 of every byte before it (4 bytes). {@link IntermediateReader}
 * checks all of it, so a truncated or damaged file is reported, never half-read.
 */
public final class IntermediateWriter implements AutoCloseable {
  static final int MAGIC = 0x4D524B31;
  static final int TAG_KEY = 1;
  static final int TAG_END = 0;
  private static final int BUFFER = 16 * 1024;

  private final AtomicFile file;
  private final CRC32 crc = new CRC32();
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private long flushed;
  private long keys;
  private String lastKey;

  private IntermediateWriter(Path target) throws IOException {
    this.file = AtomicFile.create(target);
    writeInt(MAGIC);
  }

  public static IntermediateWriter create(Path target) throws IOException {
    return new IntermediateWriter(target);
  }

  /** Appends {@code key} with {@code values}; keys must come in strictly increasing {@link String#compareTo} order. */
  public void write(String key, List<String> values) throws IOException {
    if (lastKey != null && lastKey.compareTo(key) >= 0) {
      throw new IllegalArgumentException("keys out of order: '" + key + "' after '" + lastKey + "'");
    }
    lastKey = key;
    keys++;
    room(1);
    buf[pos++] = TAG_KEY;
    writeString(key);
    writeVarint(values.size());
    for (String v : values) {
      writeString(v);
    }
  }

  /** Ends the file and renames it into place; returns its size in bytes. */
  public long commit() throws IOException {
    room(13);
    buf[pos++] = TAG_END;
    writeLong(keys);
    crc.update(buf, 0, pos);
    writeInt((int) crc.getValue());
    long size = flushed + pos;
    file.stream().write(buf, 0, pos);
    pos = 0;
    file.commit();
    return size;
  }

  public long keys() {
    return keys;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  private void writeString(String s) throws IOException {
    int n = s.length();
    boolean ascii = true;
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      writeVarint(n);
      if (n > BUFFER) {
        writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        return;
      }
      room(n);
      for (int i = 0; i < n; i++) {
        buf[pos++] = (byte) s.charAt(i);
      }
    } else {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      writeVarint(b.length);
      writeBytes(b);
    }
  }

  private void writeBytes(byte[] b) throws IOException {
    if (b.length > BUFFER) {
      flush();
      crc.update(b, 0, b.length);
      file.stream().write(b);
      flushed += b.length;
      return;
    }
    room(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void writeVarint(int v) throws IOException {
    room(5);
    while ((v & ~0x7f) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void writeInt(int v) {
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  private void room(int n) throws IOException {
    if (pos + n > buf.length) {
      flush();
    }
  }

  private void flush() throws IOException {
    crc.update(buf, 0, pos);
    file.stream().write(buf, 0, pos);
    flushed += pos;
    pos = 0;
  }
}
