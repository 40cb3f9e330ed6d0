package wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte payload with value equality, so records that carry bytes compare by content
 * (a {@code byte[]} component would compare by reference). Serialized as a CBOR byte string.
 */
public final class Bytes implements CborSerializable, Comparable<Bytes> {
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** Copies {@code data}, so later changes to the array do not leak in. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Bytes of(byte[] data) {
    return data.length == 0 ? EMPTY : new Bytes(data.clone());
  }

  public static Bytes utf8(String s) {
    return new Bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Takes ownership of {@code data} without copying; the caller must not touch it afterwards. */
  public static Bytes wrap(byte[] data) {
    return new Bytes(data);
  }

  /** A copy of the content. */
  @JsonValue
  public byte[] toArray() {
    return data.clone();
  }

  /** Reads the content without copying it. */
  public java.io.InputStream newInputStream() {
    return new java.io.ByteArrayInputStream(data);
  }

  public int size() {
    return data.length;
  }

  public boolean isEmpty() {
    return data.length == 0;
  }

  public String utf8() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes other && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public int compareTo(Bytes o) {
    return Arrays.compareUnsigned(data, o.data);
  }

  @Override
  public String toString() {
    return data.length <= 32 ? "Bytes(" + utf8() + ")" : "Bytes(" + data.length + " bytes)";
  }
}
