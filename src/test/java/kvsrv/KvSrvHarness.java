package kvsrv;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import testkit.net.Rerouter;
import testkit.net.SimNetwork;

/**
 * The lab's kvsrv config.go: one {@link KvSrv} behind a {@link SimNetwork}; every clerk gets its
 * own end ({@code makeClient}) and losing a clerk disables it ({@code deleteClient}).
 */
final class KvSrvHarness {
  private static final AtomicInteger servers = new AtomicInteger();

  /** Points a KvSrv request's reply at the network. */
  static final Rerouter<KvSrv.Command> REROUTER = (request, via) -> {
    if (request instanceof KvSrv.Get g) {
      return new Rerouter.Rerouted<>(new KvSrv.Get(g.key(), via.narrow()), g.replyTo().unsafeUpcast());
    } else if (request instanceof KvSrv.Put p) {
      return new Rerouter.Rerouted<>(new KvSrv.Put(p.key(), p.value(), p.clientId(), p.seq(), via.narrow()),
          p.replyTo().unsafeUpcast());
    } else if (request instanceof KvSrv.Append a) {
      return new Rerouter.Rerouted<>(new KvSrv.Append(a.key(), a.value(), a.clientId(), a.seq(), via.narrow()),
          a.replyTo().unsafeUpcast());
    } else if (request instanceof KvSrv.GetStatus s) {
      return new Rerouter.Rerouted<>(new KvSrv.GetStatus(via.narrow()), s.replyTo().unsafeUpcast());
    }
    throw new IllegalArgumentException("unknown request " + request);
  };

  private final ActorTestKit testKit;
  private final ActorRef<KvSrv.Command> server;
  private final SimNetwork net;
  private final SplittableRandom random;
  private final List<SimNetwork.End<KvSrv.Command>> ends = new ArrayList<>();
  private final Map<KvSrvClient, SimNetwork.End<KvSrv.Command>> endOf = new IdentityHashMap<>();

  private KvSrvHarness(ActorTestKit testKit, long seed, boolean unreliable) {
    this.testKit = testKit;
    this.random = new SplittableRandom(seed);
    this.server = testKit.spawn(KvSrv.create(), "kvsrv-" + servers.incrementAndGet());
    this.net = new SimNetwork(random.nextLong(), SimNetwork.Spawner.of(testKit));
    net.setReliable(!unreliable);
  }

  /** make_config(unreliable). */
  static KvSrvHarness start(ActorTestKit testKit, long seed, boolean unreliable) {
    return new KvSrvHarness(testKit, seed, unreliable);
  }

  /** A clerk with its own end and a random client id. */
  synchronized KvSrvClient makeClient() {
    SimNetwork.End<KvSrv.Command> end = net.makeEnd(server, REROUTER);
    ends.add(end);
    KvSrvClient ck = KvSrvClient.create(end.ref(), testKit.scheduler(), random.nextLong());
    endOf.put(ck, end);
    return ck;
  }

  /**
   * One end shared by many cheap clerks (the 100,000-clerk memory scenarios, reliable net). The
   * network takes its reliable shortcut: the scenarios measure the server, not the network.
   */
  synchronized ActorRef<KvSrv.Command> sharedEnd() {
    net.setShortcutWhenReliable(true);
    SimNetwork.End<KvSrv.Command> end = net.makeEnd(server, REROUTER);
    ends.add(end);
    return end.ref();
  }

  synchronized long nextClientId() {
    return random.nextLong();
  }

  /** deleteClient: the clerk's end stops delivering. */
  synchronized void deleteClient(KvSrvClient ck) {
    SimNetwork.End<KvSrv.Command> end = endOf.remove(ck);
    if (end != null) {
      end.enable(false);
    }
  }

  /** A child generator for a client thread. */
  synchronized SplittableRandom split() {
    return random.split();
  }

  SimNetwork network() {
    return net;
  }

  ActorTestKit testKit() {
    return testKit;
  }

  /** The server's retained-bytes accounting, asked directly (not through the network). */
  KvSrv.Status status() {
    TestProbe<KvSrv.Status> probe = testKit.createTestProbe();
    server.tell(new KvSrv.GetStatus(probe.getRef()));
    return probe.receiveMessage(java.time.Duration.ofSeconds(10));
  }

  /** cleanup(): disable all ends and stop the server. */
  void cleanup() {
    for (SimNetwork.End<KvSrv.Command> e : ends) {
      e.enable(false);
    }
    testKit.stop(server);
  }
}
