package shardctrl;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.GroupClient;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;

/**
 * Three shard controller servers (the shipped {@link ShardCtrlServer} over {@code RaftPeer}) in one
 * ActorSystem, on the local transport and the in-memory journal, with every message serialized
 * (the lab's shardctrler config.go). Real time with a 25 ms tick: the clients' ask timeouts and
 * retries need a running clock, which ManualTime would freeze. Stopping a server is a crash: its
 * journal stays, and starting it again recovers from it.
 */
public final class CtrlGroup {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Duration TICK = Duration.ofMillis(25);

  final ActorTestKit kit;
  final GroupId group;
  final List<PeerId> ids = List.of(PeerId.of("c1"), PeerId.of("c2"), PeerId.of("c3"));
  final LocalPeerTransport transport = new LocalPeerTransport();
  private final ShardCtrlSettings settings;
  private final long seed;
  private final Map<PeerId, ActorRef<ShardCtrlServer.Command>> servers = new LinkedHashMap<>();
  private final List<AkkaShardCtrlClient> clients = new ArrayList<>();

  public CtrlGroup(ActorTestKit kit, GroupId group, ShardCtrlSettings settings, long seed) {
    this.kit = kit;
    this.group = group;
    this.settings = settings;
    this.seed = seed;
  }

  public CtrlGroup startAll() {
    ids.forEach(this::start);
    return this;
  }

  void start(PeerId p) {
    PeerSettings ps = PeerSettings.defaults().withTickInterval(TICK).withSeed(seed);
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(group, p,
        applied -> RaftPeer.create(group, p, ids, RaftConfig.defaults(), ps, transport, applied),
        ref -> transport.register(p, ref));
    servers.put(p, kit.spawn(ShardCtrlServer.create(spec, settings), ShardCtrlServer.actorName(group, p)));
  }

  /** Stops the server and its peer, as a crash would (the journal stays). */
  void stop(PeerId p) {
    transport.unregister(p);
    kit.stop(servers.remove(p), TIMEOUT);
  }

  public void stopAll() {
    clients.forEach(AkkaShardCtrlClient::close);
    for (PeerId p : List.copyOf(servers.keySet())) stop(p);
  }

  List<PeerId> running() {
    return List.copyOf(servers.keySet());
  }

  ActorRef<ShardCtrlServer.Command> server(PeerId p) {
    return servers.get(p);
  }

  /** A client (the lab's clerk) of the servers running now, trying {@code first} first; closed by {@link #stopAll}. */
  AkkaShardCtrlClient client(PeerId first) {
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    if (servers.containsKey(first)) refs.put(first, servers.get(first));
    refs.putAll(servers);
    AkkaShardCtrlClient c = new AkkaShardCtrlClient(kit.system(), refs,
        new GroupClient.Settings(Duration.ofMillis(500), Duration.ofSeconds(15)));
    clients.add(c);
    return c;
  }

  /**
   * A client like {@link #client()} whose every request reaches the servers through a forwarder
   * that counts it in {@code received} (what the controller receives from this client, retries
   * and redirects included).
   */
  public AkkaShardCtrlClient countingClient(java.util.concurrent.atomic.LongAdder received) {
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    servers.forEach((p, server) -> refs.put(p, kit.spawn(akka.actor.typed.javadsl.Behaviors.receiveMessage(m -> {
      received.increment();
      server.tell(m);
      return akka.actor.typed.javadsl.Behaviors.same();
    }))));
    AkkaShardCtrlClient c = new AkkaShardCtrlClient(kit.system(), refs,
        new GroupClient.Settings(Duration.ofMillis(500), Duration.ofSeconds(15)));
    clients.add(c);
    return c;
  }

  public AkkaShardCtrlClient client() {
    return client(servers.keySet().iterator().next());
  }

  RaftStatus status(PeerId p) {
    TestProbe<RaftStatus> probe = kit.createTestProbe();
    servers.get(p).tell(new ShardCtrlServer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, TIMEOUT);
  }

  /** Waits (polling, bounded) until the running servers agree on one leader in one term. */
  PeerId awaitLeader() {
    return testkit.AgreedLeader.await(kit, TIMEOUT, () -> servers.keySet().stream().map(this::status).toList());
  }


  /** One request straight to one server, bypassing the client's retries. */
  CtrlReply execute(PeerId p, long clientId, long seq, CtrlCommand command) {
    TestProbe<CtrlReply> probe = kit.createTestProbe();
    servers.get(p).tell(new ShardCtrlServer.Execute(clientId, seq, command, probe.ref()));
    return probe.expectMessageClass(CtrlReply.class, TIMEOUT);
  }

  static CtrlReply await(CompletionStage<CtrlReply> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no reply: " + e, e);
    }
  }

  /** The configuration in a reply that must carry one. */
  public static ShardConfig config(CtrlReply r) {
    return assertInstanceOf(CtrlReply.Config.class, r, () -> "want a configuration, got " + r).config();
  }

  public static ShardConfig config(CompletionStage<CtrlReply> stage) {
    return config(await(stage));
  }
}
