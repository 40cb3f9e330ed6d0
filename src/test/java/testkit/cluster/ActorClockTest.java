package testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Virtual time over actors: timers fire at their own virtual millisecond, and settle() waits for all work. */
class ActorClockTest {
  private static LabActorSystem actors;

  @BeforeAll
  static void start() {
    actors = LabActorSystem.start();
  }

  @AfterAll
  static void stop() {
    actors.close();
  }

  /** Counts down a chain of messages to itself; each hop is a separate mailbox run. */
  private static Behavior<Integer> relay(AtomicInteger hops) {
    return Behaviors.receive((ctx, left) -> {
      hops.incrementAndGet();
      if (left > 0) ctx.getSelf().tell(left - 1);
      return Behaviors.same();
    });
  }

  @Test
  void settleWaitsForEveryMessageWithoutTimePassing() {
    ActorClock clock = actors.newClock();
    AtomicInteger hops = new AtomicInteger();
    ActorRef<Integer> a = actors.kit().spawn(relay(hops));
    a.tell(9_999);
    clock.settle();
    assertEquals(10_000, hops.get());
    assertEquals(0, clock.now());
    actors.kit().stop(a);
  }

  @Test
  void timersAndEventsRunAtTheirOwnVirtualMillisecond() {
    ActorClock clock = actors.newClock();
    List<String> seen = new ArrayList<>();
    Behavior<String> timed = Behaviors.withTimers(timers -> {
      timers.startSingleTimer("t37", Duration.ofMillis(37));
      timers.startSingleTimer("t250", Duration.ofMillis(250));
      return Behaviors.receiveMessage(m -> {
        synchronized (seen) {
          seen.add(m + "@" + clock.now());
        }
        return Behaviors.same();
      });
    });
    ActorRef<String> t = actors.kit().spawn(timed);
    clock.schedule(120, () -> {
      synchronized (seen) {
        seen.add("event@" + clock.now());
      }
    });
    clock.runUntil(1000);
    assertEquals(List.of("t37@37", "event@120", "t250@250"), seen);
    assertEquals(1000, clock.now());
    actors.kit().stop(t);
  }
}
