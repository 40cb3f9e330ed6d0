package wire;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * {@link DataOutput} into a growing array: the bytes {@code DataOutputStream} over a
 * {@code ByteArrayOutputStream} writes, without the stream's lock on every field. Big-endian, as
 * DataOutput says. Mutable, one writer.
 */
public final class BytesOutput implements DataOutput {
  private byte[] buf;
  private int size;

  public BytesOutput(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** What was written, in an array of its own of exactly that size. */
  public Bytes toBytes() {
    return Bytes.wrap(Arrays.copyOf(buf, size));
  }

  private int reserve(int n) {
    if (buf.length - size < n) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    int at = size;
    size += n;
    return at;
  }

  @Override
  public void write(int b) {
    int at = reserve(1); // before reading buf: reserving may replace it
    buf[at] = (byte) b;
  }

  @Override
  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    int at = reserve(len);
    System.arraycopy(b, off, buf, at, len);
  }

  @Override
  public void writeBoolean(boolean v) {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) {
    write(v);
  }

  @Override
  public void writeShort(int v) {
    int at = reserve(2);
    buf[at] = (byte) (v >>> 8);
    buf[at + 1] = (byte) v;
  }

  @Override
  public void writeChar(int v) {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) {
    int at = reserve(4);
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  @Override
  public void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  @Override
  public void writeFloat(float v) {
    writeInt(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) {
    writeLong(Double.doubleToLongBits(v));
  }

  @Override
  public void writeBytes(String s) {
    for (int i = 0; i < s.length(); i++) write(s.charAt(i));
  }

  @Override
  public void writeChars(String s) {
    for (int i = 0; i < s.length(); i++) writeChar(s.charAt(i));
  }

  /** Modified UTF-8 as DataOutputStream writes it (rare in codecs: delegated, not duplicated). */
  @Override
  public void writeUTF(String s) throws IOException {
    new DataOutputStream(new OutputStream() {
      @Override
      public void write(int b) {
        BytesOutput.this.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        BytesOutput.this.write(b, off, len);
      }
    }).writeUTF(s);
  }
}
