package journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The key layout of the group-commit journal's LevelDB (bytewise order, big-endian numbers, so a
 * persistence id's events sort by sequence number):
 * <ul>
 *   <li>{@code 00 "format"} → {@link #FORMAT}: marks the database as ours (an Akka LevelDB journal has no such key)</li>
 *   <li>{@code 01 <persistence id, UTF-8>} → its numeric id (int): short event keys whatever the id's length</li>
 *   <li>{@code 02 <numeric id> <sequence nr>} → one serialized {@code PersistentRepr}</li>
 *   <li>{@code 03 <numeric id>} → the highest sequence number ever written (kept when events are deleted)</li>
 * </ul>
 */
final class JournalKeys {
  private JournalKeys() {}

  static final byte[] FORMAT_KEY = {0, 'f', 'o', 'r', 'm', 'a', 't'};
  static final String FORMAT = "raftkv-group-commit-journal 1";
  static final byte MAPPING = 1;
  static final byte EVENT = 2;
  static final byte HIGHEST = 3;

  static byte[] mapping(String persistenceId) {
    byte[] utf8 = persistenceId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + utf8.length).put(MAPPING).put(utf8).array();
  }

  static String persistenceIdOfMapping(byte[] key) {
    return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
  }

  static byte[] event(int id, long sequenceNr) {
    return ByteBuffer.allocate(13).put(EVENT).putInt(id).putLong(sequenceNr).array();
  }

  /** True if {@code key} is an event key of numeric id {@code id}. */
  static boolean isEventOf(byte[] key, int id) {
    return key.length == 13 && key[0] == EVENT && ByteBuffer.wrap(key, 1, 4).getInt() == id;
  }

  static long sequenceNrOfEvent(byte[] key) {
    return ByteBuffer.wrap(key, 5, 8).getLong();
  }

  static byte[] highest(int id) {
    return ByteBuffer.allocate(5).put(HIGHEST).putInt(id).array();
  }

  static int idOfHighest(byte[] key) {
    return ByteBuffer.wrap(key, 1, 4).getInt();
  }

  static byte[] intValue(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  static int intOf(byte[] value) {
    return ByteBuffer.wrap(value).getInt();
  }

  static byte[] longValue(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long longOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }
}
