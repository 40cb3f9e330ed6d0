package shardkv;

import java.util.List;
import java.util.function.Consumer;
import raft.PeerId;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.rsm.Codec;
import raft.rsm.Envelope;
import raft.rsm.Replica;
import raft.rsm.ServiceCore;
import raft.rsm.StateMachine;
import testkit.sim.ApplyListener;
import testkit.sim.LabNetwork;
import testkit.sim.SimPeer;

/**
 * One incarnation of a replicated service over a simulated Raft peer, for the shardkv tester: the
 * shipped server logic ({@link ServiceCore} over a {@link Replica}) with the lab's handler shape,
 * as {@code testkit.cluster.LabKvServer} does for kvraft, but for any state machine (the
 * controller's and the shard groups'). A proposal's caller gets the result when its entry is
 * applied, or null (retry elsewhere) if this peer does not lead, lost the entry, or stopped
 * leading. Snapshots when the Raft state reaches maxraftstate; restores on install and restart.
 */
final class LabRsmServer<C, R> implements ApplyListener {

  private final int me;
  /** The rsm's own session table (the controller's); shard groups keep theirs per shard. */
  private static final int MAX_SESSIONS = 10_000;
  private final LabNetwork net;
  private final ServiceCore<C, R, Consumer<R>> core;
  private final Consumer<LabRsmServer<C, R>> onTick;
  private int incarnation;
  private long leaderTerm = -1;

  static <C, R> LabRsmServer<C, R> start(int me, LabNetwork net, MemoryLogStorage storage, long maxRaftState,
      StateMachine<C, R> machine, Codec<C> commands, Codec<R> results, Replica.Refusals<R> refusals,
      Consumer<LabRsmServer<C, R>> onTick) {
    LabRsmServer<C, R> s = new LabRsmServer<>(me, net, maxRaftState, machine, commands, results, refusals, onTick);
    Snapshot snap = storage.snapshot();
    if (!snap.isEmpty()) s.core.restore(snap.meta().index(), snap.data());
    net.start(me, storage, s);
    s.incarnation = net.incarnation(me);
    s.tickLoop(s.incarnation);
    return s;
  }

  private LabRsmServer(int me, LabNetwork net, long maxRaftState, StateMachine<C, R> machine, Codec<C> commands,
      Codec<R> results, Replica.Refusals<R> refusals, Consumer<LabRsmServer<C, R>> onTick) {
    this.me = me;
    this.net = net;
    this.onTick = onTick;
    this.core = new ServiceCore<>(new Replica<>(machine, commands, results, refusals, MAX_SESSIONS), commands, maxRaftState);
  }

  int me() {
    return me;
  }

  /** Whether this incarnation is the live one (a killed server never answers). */
  boolean alive() {
    return net.incarnation(me) == incarnation && net.peer(me) != null;
  }

  boolean isLeader() {
    return alive() && net.peer(me).node().isLeader();
  }

  StateMachine<C, R> machine() {
    return core.replica().machine();
  }

  /** Proposes {@code request}; {@code reply} gets the result once applied, or null: retry elsewhere. */
  void propose(Envelope<C> request, Consumer<R> reply) {
    ProposeResult r = net.propose(me, core.encode(request));
    if (r instanceof ProposeResult.Accepted a) {
      if (leaderTerm != a.term()) {
        answer(core.leadershipLost());
        leaderTerm = a.term();
      }
      core.proposed(a.index(), a.term(), reply).ifPresent(x -> reply.accept(x.result()));
    } else {
      reply.accept(null);
    }
  }

  @Override
  public void applied(PeerId peer, LogEntry entry) {
    answer(core.apply(entry)); // the core's election no-op and conf changes advance the index only
    SimPeer p = net.peer(me);
    if (core.snapshotting() && core.shouldSnapshot(p.storage().raftStateSize())) {
      p.snapshot(entry.index(), core.snapshot());
    }
  }

  @Override
  public void snapshotInstalled(PeerId peer, Snapshot snapshot) {
    answer(core.restore(snapshot.meta().index(), snapshot.data()));
  }

  /** Every tick: let callers go if leadership was lost; then the service's own duties. */
  private void tickLoop(int inc) {
    net.schedule(LabNetwork.TICK_MILLIS, () -> {
      if (net.incarnation(me) != inc || net.peer(me) == null) return;
      SimPeer p = net.peer(me);
      if (core.waiting() > 0 && (!p.node().isLeader() || p.node().term() != leaderTerm)) {
        answer(core.leadershipLost());
      }
      onTick.accept(this);
      tickLoop(inc);
    });
  }

  private void answer(List<ServiceCore.Answer<Consumer<R>, R>> answers) {
    for (ServiceCore.Answer<Consumer<R>, R> a : answers) a.caller().accept(a.result());
  }
}
