package wire;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@link DataInput} over the content of a {@link Bytes}, read in place ({@link Bytes#newDataInput}): what {@code DataInputStream} over a
 * {@code ByteArrayInputStream} reads, without the stream's lock and copy on every field (every
 * replica decodes every entry, so this runs three times per write). Big-endian, as DataInput says.
 * Mutable, one reader.
 */
public final class BytesInput implements DataInput {
  private final byte[] data;
  private final int end;
  private int pos;

  BytesInput(byte[] data, int offset, int length) {
    this.data = data;
    this.pos = offset;
    this.end = offset + length;
  }

  /** Bytes not read yet. */
  public int remaining() {
    return end - pos;
  }

  private int take(int n) throws EOFException {
    if (n < 0 || end - pos < n) throw new EOFException("wanted " + n + " bytes, " + (end - pos) + " left");
    int at = pos;
    pos += n;
    return at;
  }

  /** The next {@code n} bytes as UTF-8 text, decoded straight from the range. */
  public String readUtf8(int n) throws EOFException {
    int at = take(n);
    return new String(data, at, n, StandardCharsets.UTF_8);
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    System.arraycopy(data, take(len), b, off, len);
  }

  @Override
  public int skipBytes(int n) {
    int skipped = Math.max(0, Math.min(n, end - pos));
    pos += skipped;
    return skipped;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return data[take(1)] != 0;
  }

  @Override
  public byte readByte() throws IOException {
    return data[take(1)];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return data[take(1)] & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    int at = take(2);
    return (short) (((data[at] & 0xff) << 8) | (data[at + 1] & 0xff));
  }

  @Override
  public int readUnsignedShort() throws IOException {
    return readShort() & 0xffff;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readShort();
  }

  @Override
  public int readInt() throws IOException {
    int at = take(4);
    return ((data[at] & 0xff) << 24) | ((data[at + 1] & 0xff) << 16) | ((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff);
  }

  @Override
  public long readLong() throws IOException {
    return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  /** As {@code DataInputStream.readLine}: bytes as chars up to LF, CR or CR LF; null at the end. */
  @Override
  public String readLine() {
    if (pos >= end) return null;
    StringBuilder line = new StringBuilder();
    while (pos < end) {
      int c = data[pos++] & 0xff;
      if (c == '\n') break;
      if (c == '\r') {
        if (pos < end && data[pos] == '\n') pos++;
        break;
      }
      line.append((char) c);
    }
    return line.toString();
  }

  @Override
  public String readUTF() throws IOException {
    return DataInputStream.readUTF(this);
  }
}
