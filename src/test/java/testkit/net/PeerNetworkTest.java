package testkit.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.message.RaftMessage;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;
import raft.peer.RaftPeer;
import testkit.SeedExtension;
import testkit.cluster.VirtualClock;

/** The lab's faults between actor peers: cuts, crashed incarnations, drop and delay rates. */
@ExtendWith(SeedExtension.class)
class PeerNetworkTest {
  private static final PeerId A = PeerId.of("s0");
  private static final PeerId B = PeerId.of("s1");
  private static ActorTestKit kit;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  /** A plain discrete-event clock for the network's delays. */
  private static final class Clock implements VirtualClock {
    private record Event(long time, long seq, Runnable action) {}

    private final PriorityQueue<Event> events =
        new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public long now() {
      return now;
    }

    @Override
    public void schedule(long delayMillis, Runnable action) {
      events.add(new Event(now + delayMillis, seq++, action));
    }

    @Override
    public void runUntil(long time) {
      while (!events.isEmpty() && events.peek().time <= time) {
        Event e = events.poll();
        now = e.time;
        e.action.run();
      }
      now = Math.max(now, time);
    }
  }

  private record Net(Clock clock, PeerNetwork net, TestProbe<RaftPeer.Command> b) {}

  private static Net net(long seed) {
    Clock clock = new Clock();
    PeerNetwork net = new PeerNetwork(List.of(A, B), clock, new SplittableRandom(seed));
    TestProbe<RaftPeer.Command> a = kit.createTestProbe();
    TestProbe<RaftPeer.Command> b = kit.createTestProbe();
    net.register(0, a.ref());
    net.register(1, b.ref());
    net.connect(0);
    net.connect(1);
    return new Net(clock, net, b);
  }

  private static RaftMessage request(long term) {
    return new RequestVote(term, A, B, 0, 0);
  }

  @Test
  void reliableMessagesArriveAfterOneMillisecondAndAreCounted(long seed) {
    Net n = net(seed);
    n.net().send(request(1));
    n.clock().runUntil(0);
    n.b().expectNoMessage(Duration.ofMillis(50));
    n.clock().runUntil(1);
    RaftPeer.Deliver d = (RaftPeer.Deliver) n.b().receiveMessage();
    assertEquals(request(1), d.message());
    assertEquals(1, n.net().rpcCount(1));
    assertEquals(1, n.net().rpcTotal());
  }

  @Test
  void nothingCrossesACutOrADisconnectedServer(long seed) {
    Net n = net(seed);
    n.net().setLink(0, 1, false);
    n.net().send(request(1));
    n.net().setLink(0, 1, true);
    n.net().send(request(2));
    n.net().disconnect(1); // cut while the second message is in flight
    n.clock().runUntil(1000);
    n.b().expectNoMessage(Duration.ofMillis(50));
    assertEquals(0, n.net().rpcTotal());
  }

  @Test
  void aRestartedPeerNeverGetsWhatWasSentToItsPredecessor(long seed) {
    Net n = net(seed);
    n.net().send(request(1));
    TestProbe<RaftPeer.Command> successor = kit.createTestProbe();
    n.net().register(1, successor.ref());
    n.clock().runUntil(1000);
    n.b().expectNoMessage(Duration.ofMillis(50));
    successor.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void unreliableDropsATenthAndDelaysUpTo26Milliseconds(long seed) {
    Net n = net(seed);
    n.net().setReliable(false);
    int sent = 5000;
    // Step the clock one millisecond at a time and watch the delivery counter move.
    for (int i = 0; i < sent; i++) n.net().send(request(i));
    long delivered = 0;
    long latest = 0;
    for (long t = 0; t <= 30; t++) {
      n.clock().runUntil(t);
      if (n.net().rpcTotal() > delivered) latest = t;
      delivered = n.net().rpcTotal();
    }
    double lost = 1 - (double) delivered / sent;
    assertTrue(lost > 0.08 && lost < 0.12, "lost " + lost);
    assertTrue(latest <= 26, "latest delivery at " + latest + " ms");
    assertEquals(delivered, n.b().receiveSeveralMessages((int) delivered, Duration.ofSeconds(10)).size());
  }

  @Test
  void longReorderingDelaysResponsesUpToTwoSeconds(long seed) {
    Net n = net(seed);
    n.net().setLongReordering(true);
    int sent = 900;
    for (int i = 0; i < sent; i++) n.net().send(new RequestVoteResponse(1, A, B, true));
    n.clock().runUntil(199);
    long early = n.net().bytesTotal();
    n.clock().runUntil(2201);
    long all = n.net().bytesTotal();
    double lateShare = 1 - (double) early / all;
    assertTrue(lateShare > 0.6 && lateShare < 0.73, "late share " + lateShare);
  }
}
