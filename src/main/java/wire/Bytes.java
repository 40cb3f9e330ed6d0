package wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable byte payload with value equality, so records that carry bytes compare by content
 * (a {@code byte[]} component would compare by reference). Serialized as a CBOR byte string.
 *
 * <p>A value may be a view of a range of a larger array ({@link #slice}): slicing a snapshot into
 * chunks copies nothing, and serializing a view writes just its range.
 */
@JsonSerialize(using = Bytes.Serializer.class)
public final class Bytes implements CborSerializable, Comparable<Bytes> {
  public static final Bytes EMPTY = new Bytes(new byte[0], 0, 0);

  private final byte[] data;
  private final int offset;
  private final int length;

  private Bytes(byte[] data, int offset, int length) {
    this.data = data;
    this.offset = offset;
    this.length = length;
  }

  /** Copies {@code data}, so later changes to the array do not leak in. */
  public static Bytes of(byte[] data) {
    return data.length == 0 ? EMPTY : new Bytes(data.clone(), 0, data.length);
  }

  /** Jackson hands over a fresh array of its own: no copy needed. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static Bytes fromJson(byte[] data) {
    return data.length == 0 ? EMPTY : new Bytes(data, 0, data.length);
  }

  public static Bytes utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new Bytes(b, 0, b.length);
  }

  /** Takes ownership of {@code data} without copying; the caller must not touch it afterwards. */
  public static Bytes wrap(byte[] data) {
    return new Bytes(data, 0, data.length);
  }

  /** A view of {@code length} bytes from {@code from} on; shares the content, copies nothing. */
  public Bytes slice(int from, int length) {
    Objects.checkFromIndexSize(from, length, this.length);
    if (from == 0 && length == this.length) return this;
    return length == 0 ? EMPTY : new Bytes(data, offset + from, length);
  }

  /** A copy of the content. */
  public byte[] toArray() {
    return Arrays.copyOfRange(data, offset, offset + length);
  }

  /** Copies the content into {@code dest} at {@code destPos}. */
  public void copyTo(byte[] dest, int destPos) {
    System.arraycopy(data, offset, dest, destPos, length);
  }

  /** A read-only view of the content (for checksums and channels); copies nothing. */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(data, offset, length).slice().asReadOnlyBuffer();
  }

  /** Reads the content in place, without a stream's locking: for codecs that decode fields. */
  public BytesInput newDataInput() {
    return new BytesInput(data, offset, length);
  }

  /** Reads the content without copying it. */
  public InputStream newInputStream() {
    return new ByteArrayInputStream(data, offset, length);
  }

  public int size() {
    return length;
  }

  public boolean isEmpty() {
    return length == 0;
  }

  public String utf8() {
    return new String(data, offset, length, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes other
        && Arrays.equals(data, offset, offset + length, other.data, other.offset, other.offset + other.length);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) h = 31 * h + data[i];
    return h;
  }

  @Override
  public int compareTo(Bytes o) {
    return Arrays.compareUnsigned(data, offset, offset + length, o.data, o.offset, o.offset + o.length);
  }

  @Override
  public String toString() {
    return length <= 32 ? "Bytes(" + utf8() + ")" : "Bytes(" + length + " bytes)";
  }

  /** Writes the range as one byte string, without copying it first. */
  static final class Serializer extends StdSerializer<Bytes> {
    Serializer() {
      super(Bytes.class);
    }

    @Override
    public void serialize(Bytes value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeBinary(value.data, value.offset, value.length);
    }
  }
}
