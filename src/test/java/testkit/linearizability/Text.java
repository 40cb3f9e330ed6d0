package testkit.linearizability;

import java.util.ArrayList;

/**
 * An immutable string built by appends, sharing its prefix with the value it was appended to, so an
 * append usually costs O(appended) instead of O(value) (the chain is flattened every
 * {@value #MAX_CHUNKS} appends, so comparisons stay short). Its
 * {@link #hashCode} equals {@link String#hashCode} of the content (maintained incrementally), so it
 * compares against outputs cheaply before comparing characters.
 */
final class Text {
  /** Chains longer than this are flattened, so a comparison visits at most this many chunks. */
  private static final int MAX_CHUNKS = 32;

  private final Text prefix;
  private final String tail;
  private final int length;
  private final int hash;
  private final int chunks;

  private Text(Text prefix, String tail, int length, int hash) {
    this.prefix = prefix;
    this.tail = tail;
    this.length = length;
    this.hash = hash;
    this.chunks = prefix == null ? 1 : prefix.chunks + 1;
  }

  /**
   * A value no operation can observe any more (see {@link KvModel#forget}): equal only to itself,
   * never a prefix of or equal to any string.
   */
  static final Text UNOBSERVABLE = new Text(null, "", 0, 0);

  static Text of(String s) {
    return new Text(null, s, s.length(), s.hashCode());
  }

  Text append(String s) {
    if (s.isEmpty() || this == UNOBSERVABLE) {
      return this;
    }
    if (chunks >= MAX_CHUNKS) {
      return of(toString().concat(s)); // amortized: one copy per MAX_CHUNKS appends
    }
    return new Text(this, s, length + s.length(), hash * pow31(s.length()) + s.hashCode());
  }

  int length() {
    return length;
  }

  boolean isEmpty() {
    return length == 0;
  }

  /** Exact comparison with a string; hash and length first, characters only when they match. */
  boolean contentEquals(String s) {
    return s.length() == length && s.hashCode() == hash && isPrefixOf(s);
  }

  /** Does {@code s} start with this text? Compares from the end, where a wrong append shows first. */
  boolean isPrefixOf(String s) {
    if (this == UNOBSERVABLE || length > s.length()) {
      return false;
    }
    int end = length;
    for (Text t = this; t != null; t = t.prefix) {
      int start = end - t.tail.length();
      if (!s.regionMatches(start, t.tail, 0, t.tail.length())) {
        return false;
      }
      end = start;
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Text other) || other.length != length || other.hash != hash || this == UNOBSERVABLE
        || other == UNOBSERVABLE) {
      return false;
    }
    if (prefix == other.prefix && tail.equals(other.tail)) {
      return true;
    }
    return other.contentEquals(toString());
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    if (this == UNOBSERVABLE) {
      return "<unobservable>";
    }
    if (prefix == null) {
      return tail;
    }
    ArrayList<String> chunks = new ArrayList<>();
    for (Text t = this; t != null; t = t.prefix) {
      chunks.add(t.tail);
    }
    StringBuilder sb = new StringBuilder(length);
    for (int i = chunks.size() - 1; i >= 0; i--) {
      sb.append(chunks.get(i));
    }
    return sb.toString();
  }

  private static int pow31(int n) {
    int result = 1;
    int base = 31;
    while (n > 0) {
      if ((n & 1) != 0) {
        result *= base;
      }
      base *= base;
      n >>= 1;
    }
    return result;
  }
}
