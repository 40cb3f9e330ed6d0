package testkit.linearizability;

import java.util.List;

/** Outputs of the KV model. */
public sealed interface KvOutput {
  NoKey NO_KEY = new NoKey();
  Done DONE = new Done();

  static Value value(String v) {
    return new Value(v);
  }

  /** A value that was read (Get) or replaced (append returning the old value). */
  record Value(String value) implements KvOutput {
    public Value {
      if (value == null) {
        throw new IllegalArgumentException("use KvOutput.NO_KEY for a missing key");
      }
    }
  }

  /** The key was absent. In the lab-compatible model this is the same as {@code Value("")}. */
  record NoKey() implements KvOutput {}

  /** A write acknowledged without a result. */
  record Done() implements KvOutput {}

  /**
   * Result of a compare-and-set. {@code swapped == null}: success not reported. {@code currentKnown}:
   * {@code current} is the value the key held when the CAS took effect, before any write ({@code null}
   * = absent).
   */
  record CasResult(Boolean swapped, boolean currentKnown, String current) implements KvOutput {
    public static CasResult of(boolean swapped) {
      return new CasResult(swapped, false, null);
    }

    public static CasResult of(boolean swapped, String current) {
      return new CasResult(swapped, true, current);
    }

    public static CasResult currentOnly(String current) {
      return new CasResult(null, true, current);
    }
  }

  record KeyValue(String key, String value) {}

  /** The entries a Scan returned, in key order. */
  record Scanned(List<KeyValue> entries) implements KvOutput {
    public Scanned {
      entries = List.copyOf(entries);
    }
  }
}
