package wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;

/**
 * {@link BytesOutput} writes exactly the bytes {@link DataOutputStream} writes, and {@link
 * BytesInput} reads them back as {@link DataInputStream} does: log entries encoded before and after
 * the switch are the same bytes.
 */
@ExtendWith(SeedExtension.class)
class BytesInputOutputTest {

  /** Writes a random mix of every field type, the same on both outputs. */
  private static void writeMix(long seed, DataOutput out) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      switch (r.nextInt(12)) {
        case 0 -> out.writeLong(r.nextLong());
        case 1 -> out.writeInt(r.nextInt());
        case 2 -> out.writeShort(r.nextInt());
        case 3 -> out.writeByte(r.nextInt());
        case 4 -> out.writeBoolean(r.nextBoolean());
        case 5 -> out.writeChar(r.nextInt());
        case 6 -> out.writeDouble(r.nextDouble());
        case 7 -> out.writeFloat((float) r.nextDouble());
        case 8 -> out.writeUTF("héllo ✓ " + r.nextInt());
        case 9 -> out.writeBytes("ascii" + r.nextInt(10));
        case 10 -> out.writeChars("ch" + r.nextInt(10));
        default -> {
          byte[] b = new byte[r.nextInt(300)];
          r.nextBytes(b);
          out.write(b);
        }
      }
    }
  }

  @Test
  void writesTheBytesDataOutputStreamWrites(long seed) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    writeMix(seed, new DataOutputStream(expected));
    BytesOutput out = new BytesOutput(16);
    writeMix(seed, out);
    assertArrayEquals(expected.toByteArray(), out.toBytes().toArray());
  }

  @Test
  void readsWhatDataInputStreamReads(long seed) throws IOException {
    BytesOutput out = new BytesOutput(16);
    writeMix(seed, out);
    Bytes written = out.toBytes();
    DataInput expected = new DataInputStream(new ByteArrayInputStream(written.toArray()));
    BytesInput in = written.newDataInput();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      switch (r.nextInt(12)) {
        case 0 -> { r.nextLong(); assertEquals(expected.readLong(), in.readLong()); }
        case 1 -> { r.nextInt(); assertEquals(expected.readInt(), in.readInt()); }
        case 2 -> { r.nextInt(); assertEquals(expected.readShort(), in.readShort()); }
        case 3 -> { r.nextInt(); assertEquals(expected.readUnsignedByte(), in.readUnsignedByte()); }
        case 4 -> { r.nextBoolean(); assertEquals(expected.readBoolean(), in.readBoolean()); }
        case 5 -> { r.nextInt(); assertEquals(expected.readChar(), in.readChar()); }
        case 6 -> { r.nextDouble(); assertEquals(expected.readDouble(), in.readDouble()); }
        case 7 -> { r.nextDouble(); assertEquals(expected.readFloat(), in.readFloat()); }
        case 8 -> { r.nextInt(); assertEquals(expected.readUTF(), in.readUTF()); }
        case 9 -> { int n = ("ascii" + r.nextInt(10)).length(); assertEquals(read(expected, n), read(in, n)); }
        case 10 -> { int n = 2 * ("ch" + r.nextInt(10)).length(); assertEquals(read(expected, n), read(in, n)); }
        default -> {
          int n = r.nextInt(300);
          r.nextBytes(new byte[n]);
          assertEquals(read(expected, n), read(in, n));
        }
      }
    }
    assertEquals(0, in.remaining());
  }

  private static String read(DataInput in, int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void readsOnlyItsOwnRangeAndFailsPastItsEnd() throws IOException {
    Bytes whole = Bytes.wrap(new byte[] {9, 0, 0, 0, 7, 'a', 'b', 9});
    BytesInput in = whole.slice(1, 6).newDataInput();
    assertEquals(7, in.readInt());
    assertEquals("ab", in.readUtf8(2));
    assertThrows(EOFException.class, in::readByte);
    assertThrows(EOFException.class, () -> Bytes.wrap(new byte[3]).newDataInput().readInt());
    assertThrows(EOFException.class, () -> Bytes.wrap(new byte[3]).newDataInput().readUtf8(-1));
  }

  @Test
  void readsLinesAsDataInputStreamDoes() throws IOException {
    byte[] text = "one\ntwo\r\nthree\rfour".getBytes(StandardCharsets.ISO_8859_1);
    @SuppressWarnings("deprecation")
    DataInputStream expected = new DataInputStream(new ByteArrayInputStream(text));
    BytesInput in = Bytes.wrap(text).newDataInput();
    for (int i = 0; i < 5; i++) {
      @SuppressWarnings("deprecation")
      String line = expected.readLine();
      assertEquals(line, in.readLine());
    }
    assertNull(in.readLine());
  }
}
