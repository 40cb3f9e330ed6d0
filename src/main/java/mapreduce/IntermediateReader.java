package mapreduce;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Streams one file written by {@link IntermediateWriter}, key by key, through a fixed buffer (it
 * grows only for a single string longer than the buffer). {@link #next()} moves to the next key;
 * {@link #key()} and {@link #values()} stay valid until the following call. Anything that does not
 * match the format (bad magic, truncation, keys out of order, a wrong count or CRC, trailing bytes)
 * throws an {@link IOException} naming the file and the byte offset.
 */
public final class IntermediateReader implements AutoCloseable {
  private final Path file;
  private final long size;
  private final InputStream in;
  private final CRC32 crc = new CRC32();
  private byte[] buf;
  private int pos;
  private int limit;
  private int crcFrom;
  private long consumedBefore;
  private long keys;
  private boolean done;
  private String key;
  private final List<String> values = new ArrayList<>();

  private IntermediateReader(Path file, int bufferSize) throws IOException {
    this.file = file;
    try {
      FileInputStream f = new FileInputStream(file.toFile());
      this.in = f;
      this.size = f.getChannel().size();
    } catch (FileNotFoundException e) {
      throw new IOException("missing intermediate file " + file.getFileName() + " (" + e.getMessage() + ")", e);
    }
    this.buf = new byte[Math.max(64, bufferSize)];
    try {
      ensure(4);
      if (readInt() != IntermediateWriter.MAGIC) {
        throw corrupt("not an intermediate file (bad magic)");
      }
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  public static IntermediateReader open(Path file, int bufferSize) throws IOException {
    return new IntermediateReader(file, bufferSize);
  }

  /** Moves to the next key; false at the end, once the trailer has been checked. */
  public boolean next() throws IOException {
    if (done) {
      return false;
    }
    ensure(1);
    int tag = buf[pos++];
    if (tag == IntermediateWriter.TAG_END) {
      checkTrailer();
      done = true;
      key = null;
      values.clear();
      return false;
    }
    if (tag != IntermediateWriter.TAG_KEY) {
      throw corrupt("bad record tag " + tag);
    }
    String k = readString();
    if (key != null && key.compareTo(k) >= 0) {
      throw corrupt("keys out of order: '" + k + "' after '" + key + "'");
    }
    key = k;
    keys++;
    int n = readLength();
    values.clear();
    for (int i = 0; i < n; i++) {
      values.add(readString());
    }
    return true;
  }

  public String key() {
    return key;
  }

  /** The current key's values; the list is reused by the next call to {@link #next()}. */
  public List<String> values() {
    return values;
  }

  /** Bytes of the file, for the task's statistics. */
  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void checkTrailer() throws IOException {
    ensure(12);
    long count = readLong();
    crc.update(buf, crcFrom, pos - crcFrom);
    crcFrom = pos;
    int expected = readInt();
    if (count != keys) {
      throw corrupt("trailer says " + count + " keys, read " + keys);
    }
    if (expected != (int) crc.getValue()) {
      throw corrupt("CRC mismatch");
    }
    if (pos < limit || in.read() >= 0) {
      throw corrupt("bytes after the trailer");
    }
  }

  private String readString() throws IOException {
    int n = readLength();
    ensure(n);
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /** A varint that must fit in what is left of the file. */
  private int readLength() throws IOException {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 28) {
        throw corrupt("varint too long");
      }
      ensure(1);
      int b = buf[pos++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
    }
    if (v < 0 || v > size - offset()) {
      throw corrupt("length " + v + " beyond the end of the file");
    }
    return v;
  }

  private int readInt() {
    int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  private long readLong() {
    long hi = readInt() & 0xffffffffL;
    return (hi << 32) | (readInt() & 0xffffffffL);
  }

  private long offset() {
    return consumedBefore + pos;
  }

  /** Makes {@code n} bytes available at {@code pos}, refilling (and if need be growing) the buffer. */
  private void ensure(int n) throws IOException {
    if (limit - pos >= n) {
      return;
    }
    crc.update(buf, crcFrom, pos - crcFrom);
    int left = limit - pos;
    byte[] target = n > buf.length ? new byte[n] : buf;
    System.arraycopy(buf, pos, target, 0, left);
    buf = target;
    consumedBefore += pos;
    pos = 0;
    crcFrom = 0;
    limit = left;
    while (limit < n) {
      int r = in.read(buf, limit, buf.length - limit);
      if (r < 0) {
        throw corrupt("truncated (needed " + n + " bytes, " + limit + " left)");
      }
      limit += r;
    }
  }

  private IOException corrupt(String what) {
    return new IOException("corrupt intermediate file " + file.getFileName() + " at byte " + offset() + ": " + what);
  }
}
