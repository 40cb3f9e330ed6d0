package testkit.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.peer.Applied;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.peer.SnapshotImage;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import testkit.net.PeerNetwork;
import wire.Bytes;

/**
 * The lab's Raft tester ({@link LabRaft}) on the shipped actors: N {@link RaftPeer}s with the
 * production settings ({@link RaftConfig#defaults()}: elections after 10–20 ticks,
 * {@link PeerSettings#defaults()}: 100 ms ticks) and the in-memory journal, over a
 * {@link PeerNetwork}, in virtual time ({@link ActorClock}). Each peer's {@link Applied} stream
 * goes to the lab's checking applier (an actor per incarnation). crash1 stops the peer and its
 * applier (the journal stays); start1 spawns it again with the same persistence id: it recovers
 * from the journal and hands its snapshot, then the committed entries, to a fresh applier.
 *
 * <p>Start(), GetState() and the like are asks answered once the actors have settled, without
 * virtual time passing: a leader answers Start when the entry is durable on it, which the
 * in-memory journal does at once.
 */
public final class ActorRaftCluster extends LabRaft {
  /**
   * Production Raft settings, but no election no-op: the lab's tester counts the indexes of commands
   * only (one(cmd) expects the n-th command at index n), as {@link LabRaftCluster} does too.
   */
  private static final RaftConfig LAB_RAFT_CONFIG = RaftConfig.defaults().withNoopOnElection(false);


  private final LabActorSystem system;
  private final ActorTestKit kit;
  private final ActorClock clock;
  private final GroupId group;
  private final List<PeerId> ids;
  private final PeerNetwork net;
  private final SplittableRandom seeds;
  private final List<ActorRef<RaftPeer.Command>> peers = new ArrayList<>();
  private final List<ActorRef<Applied>> appliers = new ArrayList<>();

  private ActorRaftCluster(LabActorSystem system, ActorClock clock, int n, boolean unreliable, boolean snapshot,
      SplittableRandom seeds) {
    super(n, snapshot, seeds.split(), clock);
    this.system = system;
    this.kit = system.kit();
    this.clock = clock;
    this.group = GroupId.of(system.nextGroup());
    List<PeerId> list = new ArrayList<>();
    for (int i = 0; i < n; i++) list.add(PeerId.of("s" + i));
    this.ids = List.copyOf(list);
    this.net = new PeerNetwork(ids, clock, seeds.split());
    this.seeds = seeds;
    for (int i = 0; i < n; i++) {
      peers.add(null);
      appliers.add(null);
    }
    net.setReliable(!unreliable);
    for (int i = 0; i < n; i++) start1(i);
    for (int i = 0; i < n; i++) connect(i);
  }

  /** The lab's make_config(n, unreliable, snapshot) on actors, seeded. All servers start connected. */
  public static ActorRaftCluster make(LabActorSystem system, int n, boolean unreliable, boolean snapshot, long seed) {
    return new ActorRaftCluster(system, system.newClock(), n, unreliable, snapshot, new SplittableRandom(seed));
  }

  @Override
  public long now() {
    return clock.now();
  }

  @Override
  public long rpcTotal() {
    return net.rpcTotal();
  }

  @Override
  public long bytesTotal() {
    return net.bytesTotal();
  }

  @Override
  public long rpcCount(int i) {
    return net.rpcCount(i);
  }

  @Override
  public void setReliable(boolean on) {
    net.setReliable(on);
  }

  @Override
  public void setLongReordering(boolean on) {
    net.setLongReordering(on);
  }

  @Override
  public void connect(int i) {
    net.connect(i);
  }

  @Override
  public void disconnect(int i) {
    net.disconnect(i);
  }

  @Override
  public boolean connected(int i) {
    return net.connected(i);
  }

  @Override
  public synchronized boolean alive(int i) {
    return peers.get(i) != null;
  }

  private synchronized ActorRef<RaftPeer.Command> peer(int i) {
    return peers.get(i);
  }

  // ---- crash and restart --------------------------------------------------------------------

  @Override
  public void crash1(int i) {
    disconnect(i);
    net.unregister(i);
    ActorRef<RaftPeer.Command> p;
    ActorRef<Applied> a;
    synchronized (this) {
      p = peers.set(i, null);
      a = appliers.set(i, null);
    }
    if (p != null) kit.stop(p, Duration.ofSeconds(30));
    if (a != null) kit.stop(a, Duration.ofSeconds(30));
    clock.settle();
  }

  @Override
  public void start1(int i) {
    crash1(i);
    restarted(i, Snapshot.EMPTY); // the recovered peer hands its snapshot to the new applier itself
    ActorRef<Applied> applier = kit.spawn(applier(i));
    PeerSettings settings = PeerSettings.defaults().withSeed(seeds.nextLong());
    ActorRef<RaftPeer.Command> peer =
        kit.spawn(RaftPeer.create(group, ids.get(i), ids, LAB_RAFT_CONFIG, settings, net, applier));
    synchronized (this) {
      peers.set(i, peer);
      appliers.set(i, applier);
    }
    net.register(i, peer);
    clock.settle();
  }

  /** The lab's applier for one incarnation of server i. */
  private Behavior<Applied> applier(int i) {
    return Behaviors.receive(Applied.class)
        .onMessage(Applied.Committed.class, c -> {
          for (LogEntry e : c.entries()) applied(i, e);
          return Behaviors.same();
        })
        .onMessage(Applied.SnapshotInstalled.class, s -> {
          try (SnapshotImage image = s.image()) {
            snapshotInstalled(i, s.readSnapshot());
          }
          return Behaviors.same();
        })
        .build();
  }

  @Override
  protected synchronized void takeSnapshot(int i, long index, Bytes data) {
    ActorRef<RaftPeer.Command> p = peers.get(i);
    if (p != null) p.tell(new RaftPeer.TakeSnapshot(index, data));
  }

  // ---- Start and state ------------------------------------------------------------------------

  @Override
  public Start start(int i, Object cmd) {
    ActorRef<RaftPeer.Command> p = peer(i);
    if (p == null) return new Start(-1, 0, false);
    ProposeResult r = ask(p, replyTo -> new RaftPeer.Propose(encode(cmd), replyTo));
    if (r instanceof ProposeResult.Accepted a) return new Start(a.index(), a.term(), true);
    return new Start(-1, term(i), false);
  }

  private RaftStatus status(int i) {
    ActorRef<RaftPeer.Command> p = peer(i);
    return p == null ? null : ask(p, RaftPeer.GetStatus::new);
  }

  @Override
  public long term(int i) {
    RaftStatus s = status(i);
    return s == null ? 0 : s.term();
  }

  @Override
  public boolean isLeader(int i) {
    RaftStatus s = status(i);
    return s != null && s.isLeader();
  }

  /** Asks and lets the actors settle, without virtual time passing; the answer must be there then. */
  private <T> T ask(ActorRef<RaftPeer.Command> p, Function<ActorRef<T>, RaftPeer.Command> message) {
    return clock.askSettled(p, message, kit.scheduler());
  }

  /**
   * The largest Raft state a restart would recover (hard state and log entries after the
   * snapshot, sized like MemoryLogStorage's raftStateSize), rebuilt from each journal as recovery
   * does. Not the journal's own size: it keeps events until Akka retention deletes them.
   */
  @Override
  public long logSize() {
    long max = 0;
    for (PeerId id : ids) {
      DurableState state = new DurableState();
      for (Object e : system.events(RaftPeer.persistenceId(group, id).id()))
        state.updated((RaftEvent) e);
      long size = 24;
      for (LogEntry e : state.image().entries()) size += e.sizeBytes();
      max = Math.max(max, size);
    }
    return max;
  }

  @Override
  public void close() {
    super.close();
    for (int i = 0; i < n; i++) crash1(i);
  }
}
