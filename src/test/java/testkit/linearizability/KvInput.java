package testkit.linearizability;

/** Inputs of the KV model. Keys and values are strings. */
public sealed interface KvInput {

  /** Read one key. Output: {@link KvOutput.Value} or {@link KvOutput.NoKey}. */
  record Get(String key) implements KvInput {}

  /** Overwrite one key. Output ignored. */
  record Put(String key, String value) implements KvInput {}

  /** Append to one key (an absent key counts as empty), without a result (lab op 2). */
  record Append(String key, String value) implements KvInput {}

  /** Append returning the value before the append (lab op 3). Output: {@link KvOutput.Value} or NoKey. */
  record AppendReturningOld(String key, String value) implements KvInput {}

  /** Remove one key. Output ignored. */
  record Delete(String key) implements KvInput {}

  /**
   * Compare-and-set: if the key's value equals {@code expected} ({@code null}: the key is absent),
   * set it to {@code value}. Output: {@link KvOutput.CasResult}.
   */
  record Cas(String key, String expected, String value) implements KvInput {}

  /**
   * The present keys in [{@code from}, {@code to}) in key order, at most {@code limit} of them
   * ({@code to == null}: unbounded; {@code limit <= 0}: no limit). Output: {@link KvOutput.Scanned}.
   */
  record Scan(String from, String to, int limit) implements KvInput {}

  /** The lab's {@code KvInput{Op, Key, Value}}: 0 Get, 1 Put, 2 Append, 3 Append returning the old value. */
  static KvInput lab(int op, String key, String value) {
    switch (op) {
      case 0: return new Get(key);
      case 1: return new Put(key, value);
      case 2: return new Append(key, value);
      case 3: return new AppendReturningOld(key, value);
      default: throw new IllegalArgumentException("unknown lab op " + op);
    }
  }
}
