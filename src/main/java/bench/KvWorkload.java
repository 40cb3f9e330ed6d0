package bench;

import java.util.SplittableRandom;
import kvraft.KvCommand;

/**
 * The KV benchmark's operation mix: 16-byte keys drawn uniformly from 10,000, 256-byte values,
 * a Get with probability {@code readsPct}%, a Put otherwise. One instance per load thread (the
 * random source is not shared), all seeded for reproducible key sequences.
 */
public final class KvWorkload {
  public static final int KEY_BYTES = 16;
  public static final int VALUE_BYTES = 256;
  public static final int KEYS = 10_000;
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final int readsPct;
  private final SplittableRandom random;
  /** The key numbers drawn from; null: all of 0 .. KEYS - 1. */
  private final int[] keys;

  public KvWorkload(int readsPct, long seed) {
    this(readsPct, seed, null);
  }

  /** The same mix on a subset of the keys (those of some shards: {@link ShardMoveBench}). */
  KvWorkload(int readsPct, long seed, int[] keys) {
    if (readsPct < 0 || readsPct > 100) throw new IllegalArgumentException("reads must be 0..100, not " + readsPct);
    if (keys != null && keys.length == 0) throw new IllegalArgumentException("no keys to draw from");
    this.readsPct = readsPct;
    this.random = new SplittableRandom(seed);
    this.keys = keys == null ? null : keys.clone();
  }

  /** Every key, formatted once: String.format per operation cost the load threads more than a Put's encoding. */
  private static final String[] KEY_NAMES = new String[KEYS];

  static {
    for (int i = 0; i < KEYS; i++) KEY_NAMES[i] = String.format("key-%012d", i);
  }

  /** Key number {@code i} as exactly 16 ASCII bytes ("key-" + 12 digits). */
  public static String key(int i) {
    return i >= 0 && i < KEYS ? KEY_NAMES[i] : String.format("key-%012d", i);
  }

  public KvCommand next() {
    String key = key(keys == null ? random.nextInt(KEYS) : keys[random.nextInt(keys.length)]);
    if (random.nextInt(100) < readsPct) return new KvCommand.Get(key);
    return new KvCommand.Put(key, value());
  }

  /** 256 random ASCII characters (so 256 bytes in UTF-8). */
  String value() {
    char[] v = new char[VALUE_BYTES];
    for (int i = 0; i < v.length; i++) v[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    return new String(v);
  }
}
