package testkit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;
import wire.CborSerializable;

/** The simulated network's labrpc semantics: reliable delivery, unreliable loss rates, disabled ends. */
@ExtendWith(SeedExtension.class)
class SimNetworkTest {
  private static ActorTestKit testKit;

  public record Ping(int n, ActorRef<Pong> replyTo) implements CborSerializable {}

  public record Pong(int n) implements CborSerializable {}

  private static final Rerouter<Ping> REROUTER =
      (p, via) -> new Rerouter.Rerouted<>(new Ping(p.n(), via.narrow()), p.replyTo().unsafeUpcast());

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("SimNetworkTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Behavior<Ping> echo(AtomicInteger handled) {
    return Behaviors.receiveMessage(p -> {
      handled.incrementAndGet();
      p.replyTo().tell(new Pong(p.n()));
      return Behaviors.same();
    });
  }

  /** Sends {@code n} pings through one end; returns the distinct pongs received (all n, or until 3 s of silence). */
  private static Set<Integer> pingAll(ActorRef<Ping> end, int n) {
    TestProbe<Pong> probe = testKit.createTestProbe();
    for (int i = 0; i < n; i++) {
      end.tell(new Ping(i, probe.getRef()));
    }
    Set<Integer> got = new HashSet<>();
    while (got.size() < n) {
      try {
        got.add(probe.receiveMessage(Duration.ofSeconds(3)).n());
      } catch (AssertionError silence) {
        return got;
      }
    }
    return got;
  }

  @Test
  void reliableNetworkDeliversEveryRequestAndReply(long seed) {
    AtomicInteger handled = new AtomicInteger();
    SimNetwork net = new SimNetwork(seed, SimNetwork.Spawner.of(testKit));
    ActorRef<Ping> server = testKit.spawn(echo(handled));
    SimNetwork.End<Ping> end = net.makeEnd(server, REROUTER);
    assertEquals(200, pingAll(end.ref(), 200).size());
    assertEquals(200, handled.get());
    assertEquals(200, net.rpcCount());
    assertEquals(200, net.dispatchedCount());
  }

  @Test
  void unreliableNetworkDropsAboutTenPercentEachWay(long seed) {
    AtomicInteger handled = new AtomicInteger();
    SimNetwork net = new SimNetwork(seed, SimNetwork.Spawner.of(testKit));
    net.setReliable(false);
    ActorRef<Ping> server = testKit.spawn(echo(handled));
    SimNetwork.End<Ping> end = net.makeEnd(server, REROUTER);
    int n = 500;
    Set<Integer> replies = pingAll(end.ref(), n);
    // Expected: 450 handled (sd 6.7), 405 replies (sd 8.8); bounds are > 6 sd away.
    assertTrue(handled.get() >= 400 && handled.get() <= 490, "handled " + handled.get());
    assertTrue(replies.size() >= 350 && replies.size() <= 460, "replies " + replies.size());
    assertTrue(replies.size() < handled.get(), "some replies are lost after the handler ran");
    assertEquals(handled.get(), net.dispatchedCount());
  }

  @Test
  void disabledEndDeliversNothing(long seed) {
    AtomicInteger handled = new AtomicInteger();
    SimNetwork net = new SimNetwork(seed, SimNetwork.Spawner.of(testKit));
    ActorRef<Ping> server = testKit.spawn(echo(handled));
    SimNetwork.End<Ping> end = net.makeEnd(server, REROUTER);
    end.enable(false);
    assertEquals(0, pingAll(end.ref(), 20).size());
    assertEquals(0, handled.get());
    end.enable(true);
    assertEquals(20, pingAll(end.ref(), 20).size());
  }
}
