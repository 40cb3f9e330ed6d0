package bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code bench groups} end to end on a few groups (its numbers are the README's; here only its shape and its election). */
class GroupsBenchTest {
  @Test
  void everyGroupElectsAndTheJsonLineSaysWhatWasMeasured() throws Exception {
    GroupsBench.Result r = GroupsBench.run(new GroupsBench.Options(4, 1, 1, 5, 60));
    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertEquals("groups", json.get("bench").asText());
    assertEquals(4, json.get("groups").asInt());
    assertEquals(4, json.get("groups_with_leader").asInt(), "every group must have elected a leader");
    assertEquals(5, json.get("quiesce_ticks").asInt());
    assertEquals(3, json.get("cpu_cores_per_node").size());
    for (JsonNode cpu : json.get("cpu_cores_per_node")) assertTrue(cpu.asDouble() >= 0);
    assertTrue(json.get("heap_used_mib_total").asDouble() > 0);
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingStarts() {
    assertThrows(IllegalArgumentException.class, () -> new GroupsBench.Options(0, 30, 10, 20, 60));
    assertThrows(IllegalArgumentException.class, () -> new GroupsBench.Options(10, 0, 10, 20, 60));
    assertThrows(IllegalArgumentException.class, () -> new GroupsBench.Options(10, 30, -1, 20, 60));
    assertThrows(IllegalArgumentException.class, () -> new GroupsBench.Options(10, 30, 10, -1, 60));
  }
}
