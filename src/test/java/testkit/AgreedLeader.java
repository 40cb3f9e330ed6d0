package testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import raft.PeerId;
import raft.core.RaftStatus;

/** Waits for the leader that a group of actor replicas agrees on (tests of real-time actor groups). */
public final class AgreedLeader {
  private AgreedLeader() {}

  /**
   * Polls {@code statuses} (one per running replica) until one replica leads and every replica
   * sees it as leader in its term; fails after {@code timeout}.
   */
  public static PeerId await(ActorTestKit kit, Duration timeout, Supplier<List<RaftStatus>> statuses) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(timeout, Duration.ofMillis(50), () -> {
      List<RaftStatus> all = statuses.get();
      Optional<RaftStatus> leader = all.stream().filter(RaftStatus::isLeader).findFirst();
      assertTrue(leader.isPresent(), () -> "no leader: " + all);
      boolean agreed = all.stream().allMatch(s -> s.term() == leader.get().term()
          && s.leader().equals(Optional.of(leader.get().id())));
      assertTrue(agreed, () -> "no agreement: " + all);
      return leader.get().id();
    });
  }
}
