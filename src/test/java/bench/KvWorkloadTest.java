package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The keys formatted once are the keys formatted per call: 16 ASCII bytes, "key-" and 12 digits. */
class KvWorkloadTest {
  @Test
  void keysAreSixteenBytesAndTheSameAsFormattedPerCall() {
    for (int i : new int[] {0, 1, 4_321, KvWorkload.KEYS - 1, KvWorkload.KEYS, 123_456_789}) {
      assertEquals(String.format("key-%012d", i), KvWorkload.key(i));
      assertEquals(KvWorkload.KEY_BYTES, KvWorkload.key(i).getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
