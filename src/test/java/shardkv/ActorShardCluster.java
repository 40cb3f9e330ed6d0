package shardkv;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import kvraft.KvReply;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.GroupClient;
import raft.rsm.ReplicatedStateMachine;
import shardctrl.AkkaShardCtrlClient;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlServer;
import shardctrl.ShardCtrlSettings;
import testkit.cluster.ActorClock;
import testkit.cluster.LabActorSystem;
import testkit.cluster.LabProcesses;
import testkit.net.PeerNetwork;
import testkit.net.Rerouter;
import testkit.net.SimNetwork;

/**
 * The lab's shardkv tester ({@link LabShards}) on the shipped actors: a controller of 3 {@link
 * ShardCtrlServer}s (a second one for rejection5A) and groups 100, 101, 102 of 3 {@link
 * ShardKvServer}s, each a {@link ReplicatedStateMachine} hosting its {@link RaftPeer}, with the
 * production settings ({@link RaftConfig#defaults()}, {@link PeerSettings#defaults()}: 100 ms
 * ticks, elections after 1-2 s; {@link ShardKvSettings#of}: the leader's duties every 100 ms, 64
 * KiB chunks; {@link ShardCtrlSettings#defaults()}), calls that give up after {@link
 * #ATTEMPT_TIMEOUT} (1 s, production's), the production watches (2 s), the lab's maxraftstate as the
 * groups' snapshot threshold, the in-memory journal, in virtual time ({@link ActorClock}).
 *
 * <p>Each Raft group's messages cross its own {@link PeerNetwork}. Every other call (clerk to
 * group, group to group for pulls and deletes, anyone to the controller) goes through one {@link
 * SimNetwork} end per caller and server, with the lab's delays and drops when unreliable: the
 * servers of a configuration are named {@code s3}..{@code s11}, and each caller's resolver turns a
 * name into its own end. An end points at the server's stable forwarder, which drops what it gets
 * while the server is down. Clerks are the shipped {@link ShardKvClient} ({@link
 * AkkaShardKvClient}) over the shipped {@link AkkaShardCtrlClient}, whose deadlines run on the
 * virtual clock; they retry for as long as the lab's clerk does (longer than a test may run).
 */
final class ActorShardCluster extends LabShards {
  private static final int N_CTRL = 3;
  private static final int CTRL1_BASE = N_CTRL + N_GROUPS * N;
  private static final int TOTAL = CTRL1_BASE + N_CTRL;
  /**
   * How long one call to one server may wait for its answer, for clerks and servers alike: the
   * production default (raftkv.kv.client and raftkv.shardctrl.client attempt-timeout, and
   * {@link ShardKvSettings#of}'s call timeout). Before group leaders acted on hints of a newer
   * configuration (a client routing with it, a group pulling for it: {@link ShardKvDuties}), a lost
   * watch answer cost the watch timeout plus an attempt, and challenge2Unaffected failed 2 of 5 class
   * runs at 1 s (the test then ran 250 ms here).
   */
  static final Duration ATTEMPT_TIMEOUT = GroupClient.Settings.defaults().attemptTimeout();
  /** The group servers' controller client: the production settings. */
  private static final GroupClient.Settings SERVER_CTRL = GroupClient.Settings.defaults();
  /** The lab's clerks retry forever; the test's own limit ends a run first, so no deadline here can pass unnoticed. */
  private static final GroupClient.Settings CLERK_CTRL =
      new GroupClient.Settings(ATTEMPT_TIMEOUT, Duration.ofMillis(2 * TEST_LIMIT_MILLIS));

  static final Rerouter<ShardKvServer.Command> KV_REROUTER = (request, via) -> {
    if (request instanceof ShardKvServer.Execute e) {
      return new Rerouter.Rerouted<>(new ShardKvServer.Execute(e.op(), e.consistency(), via.narrow()), e.replyTo().unsafeUpcast());
    } else if (request instanceof ShardKvServer.Pull p) {
      return new Rerouter.Rerouted<>(new ShardKvServer.Pull(p.request(), via.narrow()), p.replyTo().unsafeUpcast());
    } else if (request instanceof ShardKvServer.Delete d) {
      return new Rerouter.Rerouted<>(new ShardKvServer.Delete(d.num(), d.shard(), via.narrow()),
          d.replyTo().unsafeUpcast());
    } else if (request instanceof ShardKvServer.GetStatus g) {
      return new Rerouter.Rerouted<>(new ShardKvServer.GetStatus(via.narrow()), g.replyTo().unsafeUpcast());
    } else if (request instanceof ShardKvServer.GetShards g) {
      return new Rerouter.Rerouted<>(new ShardKvServer.GetShards(via.narrow()), g.replyTo().unsafeUpcast());
    }
    throw new IllegalArgumentException("unknown request " + request);
  };

  static final Rerouter<ShardCtrlServer.Command> CTRL_REROUTER = (request, via) -> {
    if (request instanceof ShardCtrlServer.Execute e) {
      return new Rerouter.Rerouted<>(new ShardCtrlServer.Execute(e.clientId(), e.seq(), e.command(), via.narrow()),
          e.replyTo().unsafeUpcast());
    } else if (request instanceof ShardCtrlServer.Watch w) {
      return new Rerouter.Rerouted<>(new ShardCtrlServer.Watch(w.afterNum(), w.timeoutMillis(), via.narrow()),
          w.replyTo().unsafeUpcast());
    } else if (request instanceof ShardCtrlServer.GetStatus g) {
      return new Rerouter.Rerouted<>(new ShardCtrlServer.GetStatus(via.narrow()), g.replyTo().unsafeUpcast());
    }
    throw new IllegalArgumentException("unknown request " + request);
  };

  /** One Raft group of the tester: its servers' indexes, peer ids and network. */
  private record Group(GroupId id, int base, List<PeerId> peers, PeerNetwork net) {}

  private final LabActorSystem system;
  private final ActorTestKit kit;
  private final ActorClock clock;
  private final SplittableRandom seeds;
  private final String prefix;
  private final SimNetwork callNet;
  private final ActorRef<SpawnProtocol.Command> ends;
  private final Group[] ctrlGroups = new Group[2];
  private final Group[] groups = new Group[N_GROUPS];
  /** Current incarnation of each server (null while down), by tester index (0-2 controller, 3-11 groups, 12-14 ctl1). */
  private final ActorRef<?>[] servers = new ActorRef<?>[TOTAL];
  private final List<ActorRef<?>> forwarders = new ArrayList<>();
  private final List<ActorRef<ShardKvServer.Command>> kvForwarders = new ArrayList<>();
  private final List<ActorRef<ShardCtrlServer.Command>> ctrlForwarders = new ArrayList<>();
  /** Each group server's own ends (to every group server) and controller client, kept across its incarnations. */
  private final Map<Integer, Function<String, ActorRef<ShardKvServer.Command>>> serverResolvers = new HashMap<>();
  private final Map<Integer, AkkaShardCtrlClient> serverControllers = new HashMap<>();
  private final List<AkkaShardCtrlClient> ctrlClients = new ArrayList<>();
  private final List<ShardKvClient> kvClients = new ArrayList<>();
  private final CtrlClerk mck;

  private ActorShardCluster(LabActorSystem system, ActorClock clock, boolean unreliable, long maxRaftState,
      SplittableRandom seeds) {
    super(seeds.split(), clock, maxRaftState);
    this.system = system;
    this.kit = system.kit();
    this.clock = clock;
    this.seeds = seeds;
    this.prefix = system.nextGroup();
    this.ends = kit.spawn(SpawnProtocol.create(), "calls-" + prefix);
    this.callNet = new SimNetwork(seeds.nextLong(), new SimNetwork.Spawner() {
      @Override
      public <T> ActorRef<T> spawn(Behavior<T> behavior, String name) {
        return clock.askSettled(ends, to -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), to), kit.scheduler());
      }
    });
    for (int s = 0; s < TOTAL; s++) {
      int me = s;
      boolean kv = s >= N_CTRL && s < CTRL1_BASE;
      ActorRef<?> f = kv ? kit.spawn(forwarder(me), "forward-" + prefix + "-" + name(s))
          : kit.spawn(this.<ShardCtrlServer.Command>forwarder(me), "forward-" + prefix + "-" + name(s));
      forwarders.add(f);
      kvForwarders.add(kv ? f.unsafeUpcast() : null);
      ctrlForwarders.add(kv ? null : f.unsafeUpcast());
    }
    ctrlGroups[0] = group("ctrl", 0);
    for (int g = 0; g < N_GROUPS; g++) groups[g] = group("gid" + gid(g), serverIndex(g, 0));
    for (int i = 0; i < N_CTRL; i++) startCtrl(0, i);
    for (int g = 0; g < N_GROUPS; g++) startGroup(g);
    setReliable(!unreliable);
    this.mck = new ActorCtrlClerk(ctrlClient(0, CLERK_CTRL));
  }

  /** The lab's make_config(t, n, unreliable, maxraftstate) on actors, seeded (maxraftstate -1: no snapshots). */
  static ActorShardCluster make(LabActorSystem system, boolean unreliable, long maxRaftState, long seed) {
    return new ActorShardCluster(system, system.newClock(), unreliable, maxRaftState, new SplittableRandom(seed));
  }

  private Group group(String name, int base) {
    List<PeerId> peers = new ArrayList<>();
    for (int i = 0; i < N; i++) peers.add(PeerId.of(name(base + i)));
    return new Group(GroupId.of(prefix + "-" + name), base, List.copyOf(peers), new PeerNetwork(peers, clock, seeds.split()));
  }

  static int serverIndex(int group, int i) {
    return N_CTRL + group * N + i;
  }

  static String name(int server) {
    return "s" + server;
  }

  @Override
  long now() {
    return clock.now();
  }

  @Override
  void setReliable(boolean on) {
    callNet.setReliable(on);
    for (Group g : allGroups()) g.net().setReliable(on);
  }

  private List<Group> allGroups() {
    List<Group> out = new ArrayList<>();
    for (Group g : ctrlGroups) if (g != null) out.add(g);
    out.addAll(List.of(groups));
    return out;
  }

  @Override
  List<String> groupServers(int group) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < N; i++) out.add(name(serverIndex(group, i)));
    return out;
  }

  // ---- servers --------------------------------------------------------------------------------

  private synchronized ActorRef<?> server(int s) {
    return servers[s];
  }

  /** Server s's address for everyone else: forwards to its live incarnation, drops while it is down. */
  private <T> Behavior<T> forwarder(int s) {
    return Behaviors.receiveMessage(m -> {
      @SuppressWarnings("unchecked")
      ActorRef<T> to = (ActorRef<T>) server(s);
      if (to != null) to.tell(m);
      return Behaviors.same();
    });
  }

  private ReplicatedStateMachine.PeerSpec peerSpec(Group g, int i) {
    PeerId id = g.peers().get(i);
    PeerSettings settings = PeerSettings.defaults().withSeed(seeds.nextLong());
    return new ReplicatedStateMachine.PeerSpec(g.id(), id,
        applied -> RaftPeer.create(g.id(), id, g.peers(), RaftConfig.defaults(), settings, g.net(), applied),
        ref -> g.net().register(i, ref));
  }

  private void startCtrl(int service, int i) {
    Group g = ctrlGroups[service];
    ActorRef<ShardCtrlServer.Command> s = kit.spawn(ShardCtrlServer.create(peerSpec(g, i), ShardCtrlSettings.defaults()));
    synchronized (this) {
      servers[g.base() + i] = s;
    }
    g.net().connect(i);
    clock.settle();
  }

  @Override
  CtrlClerk startCtrl1() {
    ctrlGroups[1] = group("ctrl1", CTRL1_BASE);
    ctrlGroups[1].net().setReliable(callNet.isReliable());
    for (int i = 0; i < N_CTRL; i++) startCtrl(1, i);
    return new ActorCtrlClerk(ctrlClient(1, CLERK_CTRL));
  }

  @Override
  void startServer(int group, int i) {
    shutdownServer(group, i);
    int s = serverIndex(group, i);
    // Production settings (calls, watches, cadence, chunks) with the lab's maxraftstate.
    ShardKvSettings settings = ShardKvSettings.of(gid(group), MAPPING).withMaxRaftStateBytes(Math.max(0, maxRaftState()));
    ActorRef<ShardKvServer.Command> ref = kit.spawn(ShardKvServer.create(peerSpec(groups[group], i), settings,
        serverControllers.computeIfAbsent(s, x -> ctrlClient(0, SERVER_CTRL)), serverResolvers.computeIfAbsent(s, x -> resolver())));
    synchronized (this) {
      servers[s] = ref;
    }
    groups[group].net().connect(i);
    clock.settle();
  }

  /** Stops the server and its peer, as a crash would: the journal stays, calls in progress go unanswered. */
  @Override
  void shutdownServer(int group, int i) {
    int s = serverIndex(group, i);
    PeerNetwork net = groups[group].net();
    net.disconnect(i);
    net.unregister(i);
    ActorRef<?> ref;
    synchronized (this) {
      ref = servers[s];
      servers[s] = null;
    }
    if (ref != null) kit.stop(ref, Duration.ofSeconds(30));
    clock.settle();
  }

  private String persistenceId(int group, int i) {
    Group g = groups[group];
    return RaftPeer.persistenceId(g.id(), g.peers().get(i)).id();
  }

  /** Settled first: what the actors are writing now counts. */
  @Override
  protected long raftStateSize(int group, int i) {
    clock.settle();
    return system.raftStateSize(persistenceId(group, i));
  }

  @Override
  protected long snapshotSize(int group, int i) {
    clock.settle();
    return system.snapshotSize(persistenceId(group, i));
  }

  @Override
  String describeGroups() {
    StringBuilder b = new StringBuilder();
    for (int g = 0; g < N_GROUPS; g++) {
      for (int i = 0; i < N; i++) {
        int s = serverIndex(g, i);
        @SuppressWarnings("unchecked")
        ActorRef<ShardKvServer.Command> ref = (ActorRef<ShardKvServer.Command>) server(s);
        b.append("\n  ").append(name(s));
        if (ref == null) {
          b.append(" down");
          continue;
        }
        RaftStatus st = clock.askSettled(ref, ShardKvServer.GetStatus::new, kit.scheduler());
        ShardKvServer.Shards sh = clock.askSettled(ref, ShardKvServer.GetShards::new, kit.scheduler());
        b.append(st.isLeader() ? " leader" : "").append(" term ").append(st.term()).append(" config ")
            .append(sh.configNum()).append(' ').append(sh.statuses());
      }
    }
    return b.toString();
  }

  @Override
  protected AssertionError explained(AssertionError e) {
    if (e.getMessage() != null && e.getMessage().contains("groups:")) return e;
    return new AssertionError(e.getMessage() + " at " + now() + " ms; groups:" + describeGroups(), e);
  }

  @Override
  protected long rpcTotal() {
    return callNet.dispatchedCount();
  }

  @Override
  protected long raftRpcTotal() {
    long t = 0;
    for (Group g : allGroups()) t += g.net().rpcTotal();
    return t;
  }

  // ---- calls between clerks, groups and the controller ------------------------------------

  /** New ends to every group server, by name: one caller's view of the network. */
  private Function<String, ActorRef<ShardKvServer.Command>> resolver() {
    Map<String, ActorRef<ShardKvServer.Command>> refs = new HashMap<>();
    for (int g = 0; g < N_GROUPS; g++) {
      for (int i = 0; i < N; i++) {
        int s = serverIndex(g, i);
        refs.put(name(s), callNet.makeEnd(kvForwarders.get(s), KV_REROUTER).ref());
      }
    }
    return name -> {
      ActorRef<ShardKvServer.Command> r = refs.get(name);
      if (r == null) throw new IllegalArgumentException("no server " + name);
      return r;
    };
  }

  /**
   * A new client of controller service {@code service} (0 the real one, 1 ctl1) over its own ends,
   * its deadlines on the virtual clock. The group servers' clients have the production settings.
   */
  private AkkaShardCtrlClient ctrlClient(int service, GroupClient.Settings settings) {
    Group g = ctrlGroups[service];
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    for (int i = 0; i < N_CTRL; i++) {
      refs.put(g.peers().get(i), callNet.makeEnd(ctrlForwarders.get(g.base() + i), CTRL_REROUTER).ref());
    }
    // Client ids and retry jitter from the run's seed too.
    AkkaShardCtrlClient c = new AkkaShardCtrlClient(kit.system(), refs, settings, () -> clock.now() * 1_000_000L,
        seeds.split());
    synchronized (this) {
      ctrlClients.add(c);
    }
    return c;
  }

  @Override
  protected CtrlClerk ctrl() {
    return mck;
  }

  @Override
  Clerk makeClient() {
    return makeClient(new ActorCtrlClerk(ctrlClient(0, CLERK_CTRL)));
  }

  @Override
  Clerk makeClient(CtrlClerk ctrl) {
    SplittableRandom ids = seeds.split(); // client ids from the run's seed too, drawn under its lock
    ShardKvClient client = AkkaShardKvClient.create(kit.system(), MAPPING, ((ActorCtrlClerk) ctrl).client, resolver(),
        ATTEMPT_TIMEOUT, ShardKvClient.Settings.lab(), () -> {
          synchronized (ids) {
            return ids.nextLong();
          }
        });
    synchronized (this) {
      kvClients.add(client);
    }
    return new ActorShardClerk(client);
  }

  /**
   * Waits in virtual time for a reply: the stage completes on an actor thread, which hands the
   * value to the tester's event loop, which wakes the waiting process.
   */
  private <T> T await(CompletionStage<T> stage) {
    procs().checkOpen();
    LabProcesses.Promise<Object> promise = procs().promise();
    stage.whenComplete((v, e) -> clock.schedule(0, () -> promise.complete(e != null ? e : v)));
    Object r = awaitPromise(promise);
    procs().checkOpen();
    if (r instanceof Throwable t) throw new AssertionError("clerk call failed: " + t, t);
    @SuppressWarnings("unchecked")
    T v = (T) r;
    return v;
  }

  /** The lab's shardkv Clerk on the shipped client. */
  private final class ActorShardClerk implements Clerk {
    private final ShardKvClient client;

    ActorShardClerk(ShardKvClient client) {
      this.client = client;
    }

    @Override
    public String get(String key) {
      KvReply r = execute(client.get(key), "Get(" + key + ")");
      return r instanceof KvReply.Value v ? v.value() : "";
    }

    @Override
    public void put(String key, String value) {
      execute(client.put(key, value), "Put(" + key + ")");
    }

    @Override
    public void append(String key, String value) {
      execute(client.append(key, value), "Append(" + key + ")");
    }

    private KvReply execute(CompletionStage<KvReply> stage, String what) {
      KvReply r = await(stage);
      if (!r.isResult()) throw new AssertionError(what + " was answered " + r + " (the clerk gave up)");
      return r;
    }
  }

  /** The lab's shardctrler Clerk on the shipped client. */
  private final class ActorCtrlClerk implements CtrlClerk {
    final AkkaShardCtrlClient client;

    ActorCtrlClerk(AkkaShardCtrlClient client) {
      this.client = client;
    }

    @Override
    public ShardConfig query(long num) {
      return ((CtrlReply.Config) call(new CtrlCommand.Query(num))).config();
    }

    @Override
    public CtrlReply call(CtrlCommand c) {
      CtrlReply r = await(client.execute(c));
      if (!(r instanceof CtrlReply.Config)) throw new AssertionError(c + " refused: " + r);
      return r;
    }
  }

  @Override
  public void close() {
    super.close();
    List<AkkaShardCtrlClient> clients;
    List<ShardKvClient> clerks;
    synchronized (this) {
      clients = List.copyOf(ctrlClients);
      clerks = List.copyOf(kvClients);
    }
    clerks.forEach(ShardKvClient::close); // a Get stuck at a group that will never serve it (rejection5A) stops here
    clients.forEach(AkkaShardCtrlClient::close);
    for (int g = 0; g < N_GROUPS; g++) for (int i = 0; i < N; i++) shutdownServer(g, i);
    for (int service = 0; service < 2; service++) {
      Group g = ctrlGroups[service];
      if (g == null) continue;
      for (int i = 0; i < N_CTRL; i++) {
        g.net().disconnect(i);
        g.net().unregister(i);
        ActorRef<?> ref;
        synchronized (this) {
          ref = servers[g.base() + i];
          servers[g.base() + i] = null;
        }
        if (ref != null) kit.stop(ref, Duration.ofSeconds(30));
      }
    }
    kit.stop(ends, Duration.ofSeconds(30));
    for (ActorRef<?> f : forwarders) kit.stop(f, Duration.ofSeconds(30));
    clock.settle();
  }
}
