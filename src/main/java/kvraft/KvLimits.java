package kvraft;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Input rules a server checks before anything reaches the log, so a malformed or oversized
 * request gets {@link KvReply.Rejected} and costs nothing.
 */
public record KvLimits(int maxKeyBytes, int maxValueBytes, int maxScanLimit) {

  public static KvLimits defaults() {
    return new KvLimits(4096, 1 << 20, 10_000);
  }

  /** Why {@code c} is refused, or empty if it is acceptable. */
  public Optional<KvReply.Rejected> check(KvCommand c) {
    if (c == null) return reject("no command");
    if (c.key() == null) return reject("missing key");
    if (c.key().isEmpty() && !(c instanceof KvCommand.Scan)) return reject("empty key");
    if (utf8(c.key()) > maxKeyBytes) return reject("key longer than " + maxKeyBytes + " bytes");
    String value = null;
    if (c instanceof KvCommand.Put p) value = p.value();
    if (c instanceof KvCommand.Append a) value = a.value();
    if (c instanceof KvCommand.Cas s) {
      value = s.value();
      if (s.expected() != null && utf8(s.expected()) > maxValueBytes) return reject("expected value too large");
    }
    if ((c instanceof KvCommand.Put || c instanceof KvCommand.Append || c instanceof KvCommand.Cas) && value == null) {
      return reject("missing value");
    }
    if (value != null && utf8(value) > maxValueBytes) {
      return reject("value larger than " + maxValueBytes + " bytes");
    }
    if (c instanceof KvCommand.Scan s && s.limit() > maxScanLimit) {
      return reject("scan limit above " + maxScanLimit);
    }
    return Optional.empty();
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static Optional<KvReply.Rejected> reject(String reason) {
    return Optional.of(new KvReply.Rejected(reason));
  }
}
