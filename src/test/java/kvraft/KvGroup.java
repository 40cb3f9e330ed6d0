package kvraft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;

/**
 * Three KV servers of one group in one ActorSystem on the local transport, with real time and a
 * short tick (the clients' ask timeouts need a running clock). Stopping a server is a crash: its
 * journal stays, and starting it again recovers from it.
 */
final class KvGroup {
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  static final Duration TICK = Duration.ofMillis(25);

  final ActorTestKit kit;
  final GroupId group;
  final List<PeerId> ids = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  final LocalPeerTransport transport = new LocalPeerTransport();
  private final KvSettings settings;
  private final Function<PeerId, PeerSettings> peerSettings;
  private final Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();

  KvGroup(ActorTestKit kit, GroupId group, KvSettings settings, Function<PeerId, PeerSettings> peerSettings) {
    this.kit = kit;
    this.group = group;
    this.settings = settings;
    this.peerSettings = peerSettings;
  }

  KvGroup(ActorTestKit kit, GroupId group, KvSettings settings, long seed) {
    this(kit, group, settings, p -> PeerSettings.defaults().withTickInterval(TICK).withSeed(seed));
  }

  KvGroup startAll() {
    ids.forEach(this::start);
    return this;
  }

  void start(PeerId p) {
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(group, p,
        applied -> RaftPeer.create(group, p, ids, RaftConfig.defaults(), peerSettings.apply(p), transport, applied),
        ref -> transport.register(p, ref));
    servers.put(p, kit.spawn(KvServer.create(spec, settings), KvServer.actorName(group, p)));
  }

  /** Stops the server and its peer, as a crash would (the journal stays). */
  void stop(PeerId p) {
    transport.unregister(p);
    kit.stop(servers.remove(p), TIMEOUT);
  }

  void stopAll() {
    for (PeerId p : List.copyOf(servers.keySet())) stop(p);
  }

  ActorRef<KvServer.Command> server(PeerId p) {
    return servers.get(p);
  }

  /** A client of the running servers, trying {@code first} first. */
  AkkaKvClient client(PeerId first) {
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    if (servers.containsKey(first)) refs.put(first, servers.get(first));
    refs.putAll(servers);
    return new AkkaKvClient(kit.system(), refs, new AkkaKvClient.Settings(Duration.ofMillis(500), Duration.ofSeconds(10)));
  }

  AkkaKvClient client() {
    return client(servers.keySet().iterator().next());
  }

  RaftStatus status(PeerId p) {
    TestProbe<RaftStatus> probe = kit.createTestProbe();
    servers.get(p).tell(new KvServer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, TIMEOUT);
  }

  /** Waits (polling, bounded) until the running servers agree on one leader in one term. */
  PeerId awaitLeader() {
    return testkit.AgreedLeader.await(kit, TIMEOUT, () -> servers.keySet().stream().map(this::status).toList());
  }


  /** Waits until {@code p} has applied at least {@code index}. */
  RaftStatus awaitApplied(PeerId p, long index) {
    TestProbe<Object> probe = kit.createTestProbe();
    return probe.awaitAssert(TIMEOUT, Duration.ofMillis(50), () -> {
      RaftStatus s = status(p);
      assertTrue(s.appliedIndex() >= index, () -> p + " applied " + s + ", want " + index);
      return s;
    });
  }

  KvReply execute(PeerId p, long clientId, long seq, KvCommand command) {
    TestProbe<KvReply> probe = kit.createTestProbe();
    servers.get(p).tell(new KvServer.Execute(clientId, seq, command, probe.ref()));
    return probe.expectMessageClass(KvReply.class, TIMEOUT);
  }

  static KvReply await(java.util.concurrent.CompletionStage<KvReply> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no reply: " + e, e);
    }
  }
}
