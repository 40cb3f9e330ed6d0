package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingCallsTest {

  @Test
  void aCallIsAnsweredWhenItsOwnEntryIsApplied() {
    PendingCalls<String> p = new PendingCalls<>();
    p.add(5, 2, "a");
    assertEquals(List.of(), p.applied(4, 2));
    assertEquals(List.of(new PendingCalls.Finished<>("a", true)), p.applied(5, 2));
    assertEquals(0, p.size());
  }

  @Test
  void anotherLeadersEntryAtTheIndexEndsTheCallUnanswered() {
    PendingCalls<String> p = new PendingCalls<>();
    p.add(5, 2, "a");
    assertEquals(List.of(new PendingCalls.Finished<>("a", false)), p.applied(5, 3));
  }

  @Test
  void callsBelowTheAppliedIndexAndUnderASnapshotEnd() {
    PendingCalls<String> p = new PendingCalls<>();
    p.add(3, 1, "low");
    p.add(9, 1, "high");
    p.add(12, 1, "later");
    assertEquals(List.of(new PendingCalls.Finished<>("low", false)), p.applied(4, 1));
    assertEquals(List.of(new PendingCalls.Finished<>("high", false)), p.coveredBySnapshot(10));
    assertEquals(List.of(new PendingCalls.Finished<>("later", false)), p.drain());
    assertEquals(List.of(), p.drain());
  }
}
