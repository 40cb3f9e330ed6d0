package testkit.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import kvraft.AkkaKvClient;
import kvraft.KvServer;
import kvraft.KvSettings;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;
import testkit.net.PeerNetwork;
import testkit.net.Rerouter;
import testkit.net.SimNetwork;

/**
 * The lab's kvraft tester ({@link LabKv}) on the shipped actors: n {@link KvServer}s (a
 * {@link ReplicatedStateMachine} hosting its {@link RaftPeer}) with the production settings
 * ({@link RaftConfig#defaults()}: elections after 10–20 ticks; {@link PeerSettings#defaults()}:
 * 100 ms ticks), the lab's maxraftstate as the server's snapshot threshold, and the in-memory
 * journal ({@link LabJournal}), in virtual time ({@link ActorClock}). Raft messages cross a
 * {@link PeerNetwork}; clerks ({@link ActorKvClerk}, on {@link AkkaKvClient}) reach the servers
 * through {@link SimNetwork} ends, one per server, shuffled, both with the lab's delays and
 * drops when unreliable.
 *
 * <p>Each server has a stable forwarding actor that the clerks' ends point at, so an end keeps
 * working across restarts; while the server is down the forwarder drops what it gets (the call
 * goes unanswered). shutdownServer stops the KvServer and its peer (the journal stays);
 * startServer spawns it again with the same persistence id, so it recovers its snapshot and log.
 */
public final class ActorKvCluster extends LabKv {
  /** How long one attempt of a clerk may wait for a server: the client's production default. */
  private static final Duration ATTEMPT_TIMEOUT = AkkaKvClient.Settings.defaults().attemptTimeout();

  /** Points a KvServer request's reply at the network. */
  static final Rerouter<KvServer.Command> REROUTER = (request, via) -> {
    if (request instanceof KvServer.Execute e) {
      return new Rerouter.Rerouted<>(new KvServer.Execute(e.clientId(), e.seq(), e.command(), e.consistency(), via.narrow()),
          e.replyTo().unsafeUpcast());
    } else if (request instanceof KvServer.GetStatus s) {
      return new Rerouter.Rerouted<>(new KvServer.GetStatus(via.narrow()), s.replyTo().unsafeUpcast());
    }
    throw new IllegalArgumentException("unknown request " + request);
  };

  private final LabActorSystem system;
  private final ActorTestKit kit;
  private final ActorClock clock;
  private final GroupId group;
  private final List<PeerId> ids;
  private final PeerNetwork net;
  private final SimNetwork clientNet;
  private final SplittableRandom seeds;
  private final KvSettings settings;
  private final ActorRef<SpawnProtocol.Command> ends;
  private final List<ActorRef<KvServer.Command>> forwarders = new ArrayList<>();
  private final List<ActorRef<KvServer.Command>> servers = new ArrayList<>();
  private final List<ActorKvClerk> clerks = new ArrayList<>();

  private ActorKvCluster(LabActorSystem system, ActorClock clock, int n, boolean unreliable, long maxRaftState,
      SplittableRandom seeds) {
    super(n, seeds.split(), clock);
    this.system = system;
    this.kit = system.kit();
    this.clock = clock;
    this.group = GroupId.of(system.nextGroup());
    List<PeerId> list = new ArrayList<>();
    for (int i = 0; i < n; i++) list.add(PeerId.of("s" + i));
    this.ids = List.copyOf(list);
    this.net = new PeerNetwork(ids, clock, seeds.split());
    this.seeds = seeds;
    this.settings = KvSettings.defaults().withMaxRaftStateBytes(maxRaftState);
    this.ends = kit.spawn(SpawnProtocol.create(), "clients-" + group);
    this.clientNet = new SimNetwork(seeds.nextLong(), new SimNetwork.Spawner() {
      @Override
      public <T> ActorRef<T> spawn(Behavior<T> behavior, String name) {
        return ask(ends, to -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), to));
      }
    });
    for (int i = 0; i < n; i++) {
      servers.add(null);
      int me = i;
      forwarders.add(kit.spawn(forwarder(me), "forward-" + group + "-" + ids.get(i)));
    }
    for (int i = 0; i < n; i++) startServer(i);
    connectAll();
    net.setReliable(!unreliable);
    clientNet.setReliable(!unreliable);
  }

  /** The lab's make_config(n, unreliable, maxraftstate) on actors, seeded (maxraftstate -1: no snapshots). */
  public static ActorKvCluster make(LabActorSystem system, int n, boolean unreliable, long maxRaftState, long seed) {
    return new ActorKvCluster(system, system.newClock(), n, unreliable, maxRaftState, new SplittableRandom(seed));
  }

  @Override
  public long now() {
    return clock.now();
  }

  // ---- servers and partitions ---------------------------------------------------------------

  @Override
  public void partition(int[] p1, int[] p2) {
    setSide(p1, p2);
    setSide(p2, p1);
  }

  private void setSide(int[] mine, int[] other) {
    for (int a : mine) {
      net.connect(a);
      for (int b : mine) if (a != b) net.setLink(a, b, true);
      for (int b : other) net.setLink(a, b, false);
    }
  }

  @Override
  public OptionalInt leader() {
    for (int i = 0; i < n; i++) {
      ActorRef<KvServer.Command> s = server(i);
      if (s == null) continue;
      RaftStatus status = ask(s, KvServer.GetStatus::new);
      if (status.isLeader()) return OptionalInt.of(i);
    }
    return OptionalInt.empty();
  }

  private synchronized ActorRef<KvServer.Command> server(int i) {
    return servers.get(i);
  }

  /** Stops server i and its peer, as a crash would: the journal stays, calls in progress go unanswered. */
  @Override
  public void shutdownServer(int i) {
    net.disconnect(i);
    net.unregister(i);
    ActorRef<KvServer.Command> s;
    synchronized (this) {
      s = servers.set(i, null);
    }
    if (s != null) kit.stop(s, Duration.ofSeconds(30));
    clock.settle();
  }

  /** Server i again from its journal; left disconnected from the other servers, as the lab's StartServer. */
  @Override
  public void startServer(int i) {
    shutdownServer(i);
    PeerId id = ids.get(i);
    PeerSettings peerSettings = PeerSettings.defaults().withSeed(seeds.nextLong());
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(group, id,
        applied -> RaftPeer.create(group, id, ids, RaftConfig.defaults(), peerSettings, net, applied),
        ref -> net.register(i, ref));
    ActorRef<KvServer.Command> s = kit.spawn(KvServer.create(spec, settings));
    synchronized (this) {
      servers.set(i, s);
    }
    clock.settle();
  }

  /** Server i's address for the clerks: forwards to its live incarnation, drops while it is down. */
  private Behavior<KvServer.Command> forwarder(int i) {
    return Behaviors.receiveMessage(m -> {
      ActorRef<KvServer.Command> s = server(i);
      if (s != null) s.tell(m);
      return Behaviors.same();
    });
  }

  /** The largest Raft state a restart would recover: hard state and log entries after the snapshot. */
  @Override
  public long logSize() {
    clock.settle();
    long max = 0;
    for (PeerId id : ids) max = Math.max(max, system.raftStateSize(RaftPeer.persistenceId(group, id).id()));
    return max;
  }

  /** The largest snapshot image (its file's size: the journal holds only a reference to it). */
  @Override
  public long snapshotSize() {
    clock.settle();
    long max = 0;
    for (PeerId id : ids) max = Math.max(max, system.snapshotSize(RaftPeer.persistenceId(group, id).id()));
    return max;
  }

  @Override
  public int snapshotsInstalled(int i) {
    return net.snapshotsDelivered(i);
  }

  @Override
  public long clientRpcTotal() {
    return clientNet.dispatchedCount();
  }

  @Override
  protected long raftRpcTotal() {
    return net.rpcTotal();
  }

  // ---- clients ---------------------------------------------------------------------------------

  @Override
  public ActorKvClerk makeClient(int... to) {
    int[] order = all();
    for (int i = n - 1; i > 0; i--) {
      int j = rand().nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    List<SimNetwork.End<KvServer.Command>> clerkEnds = new ArrayList<>();
    for (int i = 0; i < n; i++) clerkEnds.add(null);
    for (int s : order) {
      SimNetwork.End<KvServer.Command> end = clientNet.makeEnd(forwarders.get(s), REROUTER);
      clerkEnds.set(s, end);
      refs.put(ids.get(s), end.ref());
    }
    // The lab's clerk retries forever; the test's own limit ends a run first, so no deadline here can pass unnoticed.
    AkkaKvClient.Settings clientSettings =
        new AkkaKvClient.Settings(ATTEMPT_TIMEOUT, Duration.ofMillis(2 * TEST_LIMIT_MILLIS));
    // Client ids and retry jitter from the run's seed too.
    AkkaKvClient client = new AkkaKvClient(kit.system(), refs, clientSettings, () -> clock.now() * 1_000_000L,
        seeds.split());
    ActorKvClerk ck = new ActorKvClerk(this, client, clerkEnds);
    synchronized (this) {
      clerks.add(ck);
    }
    ck.connectOnly(to);
    return ck;
  }

  /**
   * Waits in virtual time for a clerk's reply: the stage completes on an actor thread, which hands
   * the value to the tester's event loop, which wakes the waiting process.
   */
  <T> T await(CompletionStage<T> stage) {
    LabProcesses.Promise<Object> promise = procs().promise();
    stage.whenComplete((v, e) -> clock.schedule(0, () -> promise.complete(e != null ? e : v)));
    Object r = procs().await(promise);
    if (r instanceof Throwable t) throw new AssertionError("clerk call failed: " + t, t);
    @SuppressWarnings("unchecked")
    T v = (T) r;
    return v;
  }

  /** Asks and lets the actors settle, without virtual time passing; the answer must be there then. */
  private <Req, T> T ask(ActorRef<Req> to, Function<ActorRef<T>, Req> message) {
    return clock.askSettled(to, message, kit.scheduler());
  }

  @Override
  public void close() {
    super.close();
    List<ActorKvClerk> all;
    synchronized (this) {
      all = List.copyOf(clerks);
    }
    for (ActorKvClerk ck : all) ck.close();
    for (int i = 0; i < n; i++) shutdownServer(i);
    kit.stop(ends, Duration.ofSeconds(30));
    for (ActorRef<KvServer.Command> f : forwarders) kit.stop(f, Duration.ofSeconds(30));
    clock.settle();
  }
}
