package testkit.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvLimits;
import kvraft.KvReply;
import kvraft.KvStore;
import raft.PeerId;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.ReadState;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.rsm.Envelope;
import raft.rsm.Replica;
import raft.rsm.ServiceCore;
import testkit.sim.ApplyListener;
import testkit.sim.LabNetwork;
import testkit.sim.SimPeer;

/**
 * One incarnation of the lab's KVServer over a simulated Raft peer: the server logic the actor
 * server also uses ({@link ServiceCore} over a {@link Replica} of {@link KvStore}), with the
 * lab's handler shape. A read (get, scan) is served as the actor server serves it: by ReadIndex,
 * on any replica, from the local state once applied up to the confirmed read index. A write is
 * proposed as an {@link Envelope}; its caller is answered when
 * the entry at the proposal's (index, term) is applied, or told to retry (WrongLeader) when
 * another entry took that index, a snapshot covered it, or this peer stopped leading. It
 * snapshots when the persisted Raft state reaches maxraftstate, and restores on snapshot install
 * and on restart.
 *
 * <p>{@link LabKvCluster.Fault}s break it on purpose, so the tester's own tests can show that the checks bite.
 */
final class LabKvServer implements ApplyListener {

  private final int me;
  private final LabNetwork net;
  private int incarnation;
  private final LabKvCluster.Fault fault;
  private final KvLimits limits = KvLimits.defaults();
  private final ServiceCore<KvCommand, KvReply, Consumer<KvReply>> core;
  private long leaderTerm = -1;
  private long faultIds = Long.MIN_VALUE / 2;
  /** Reads handed to the peer's ReadIndex and not yet released or dropped. */
  private final Map<Long, Read> reads = new HashMap<>();
  private long nextRead;

  private record Read(KvCommand command, Consumer<KvReply> reply) {}

  /** Builds the service on {@code storage} (restoring its snapshot) and starts its Raft peer. */
  static LabKvServer start(int me, LabNetwork net, MemoryLogStorage storage, long maxRaftState, LabKvCluster.Fault fault) {
    LabKvServer s = new LabKvServer(me, net, maxRaftState, fault);
    Snapshot snap = storage.snapshot();
    if (!snap.isEmpty()) s.core.restore(snap.meta().index(), snap.data());
    net.start(me, storage, s);
    s.incarnation = net.incarnation(me);
    s.watchLeadership(s.incarnation);
    return s;
  }

  private LabKvServer(int me, LabNetwork net, long maxRaftState, LabKvCluster.Fault fault) {
    this.me = me;
    this.net = net;
    this.fault = fault;
    Replica<KvCommand, KvReply> replica = new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS,
        kvraft.KvServer.REPLIES, raft.rsm.ClientSessions.DEFAULT_MAX_SESSIONS);
    this.core = new ServiceCore<>(replica, KvCodec.COMMANDS, maxRaftState);
  }

  /** Whether this incarnation is the live one (a killed server never answers). */
  boolean alive() {
    return net.incarnation(me) == incarnation && net.peer(me) != null;
  }

  /** The lab's RPC handler: {@code reply} is called once, now or when the entry is applied. */
  void handle(Envelope<KvCommand> request, Consumer<KvReply> reply) {
    if (fault == LabKvCluster.Fault.PROPOSE_ON_TICK) {
      long wait = LabNetwork.TICK_MILLIS - net.now() % LabNetwork.TICK_MILLIS;
      net.schedule(wait, () -> {
        if (alive()) serve(request, reply);
      });
      return;
    }
    serve(request, reply);
  }

  private void serve(Envelope<KvCommand> request, Consumer<KvReply> reply) {
    Optional<KvReply.Rejected> bad = limits.check(request.command());
    if (bad.isPresent()) {
      reply.accept(bad.get());
      return;
    }
    SimPeer peer = net.peer(me);
    if (fault == LabKvCluster.Fault.LOCAL_READS && request.command().isRead() && peer.node().isLeader()) {
      reply.accept(core.replica().machine().apply(request.command()));
      return;
    }
    if (request.command().isRead() && fault != LabKvCluster.Fault.LOCAL_READS) {
      long id = ++nextRead;
      reads.put(id, new Read(request.command(), reply));
      net.readIndex(me, id);
      return;
    }
    Envelope<KvCommand> e = request;
    if (fault == LabKvCluster.Fault.NO_DUPLICATE_DETECTION && !request.command().isRead()) {
      e = new Envelope<>(faultIds++, 1, request.command());
    }
    ProposeResult r = net.propose(me, core.encode(e));
    if (r instanceof ProposeResult.Accepted a) {
      if (leaderTerm != a.term()) {
        answer(core.leadershipLost());
        leaderTerm = a.term();
      }
      core.proposed(a.index(), a.term(), reply);
    } else if (r instanceof ProposeResult.NotLeader nl) {
      reply.accept(new KvReply.WrongLeader(nl.leaderHint()));
    } else if (r instanceof ProposeResult.TooLarge t) {
      reply.accept(new KvReply.Rejected("command of " + t.bytes() + " bytes above " + t.maxBytes()));
    } else {
      reply.accept(KvReply.BUSY);
    }
  }

  @Override
  public void applied(PeerId peer, LogEntry entry) {
    answer(core.apply(entry));
    SimPeer p = net.peer(me);
    // only measure when snapshots are on
    if (fault != LabKvCluster.Fault.NO_SNAPSHOTS && core.snapshotting()
        && core.shouldSnapshot(p.storage().raftStateSize())) {
      p.snapshot(entry.index(), core.snapshot());
    }
  }

  @Override
  public void readReleased(PeerId peer, ReadState read) {
    Read r = reads.remove(read.id());
    if (r != null) core.query(read.index(), r.command(), r.reply()).ifPresent(a -> answer(List.of(a)));
  }

  @Override
  public void readDropped(PeerId peer, long id) {
    Read r = reads.remove(id);
    if (r != null) r.reply().accept(new KvReply.WrongLeader(net.peer(me) == null ? Optional.empty() : net.peer(me).node().leader()));
  }

  @Override
  public void snapshotInstalled(PeerId peer, Snapshot snapshot) {
    answer(core.restore(snapshot.meta().index(), snapshot.data()));
  }

  /** Every tick: a peer that no longer leads (or leads in a new term) lets its callers go. */
  private void watchLeadership(int inc) {
    net.schedule(LabNetwork.TICK_MILLIS, () -> {
      if (net.incarnation(me) != inc || net.peer(me) == null) return;
      SimPeer p = net.peer(me);
      if (core.waiting() > 0 && (!p.node().isLeader() || p.node().term() != leaderTerm)) {
        answer(core.leadershipLost());
      }
      watchLeadership(inc);
    });
  }

  private void answer(List<ServiceCore.Answer<Consumer<KvReply>, KvReply>> answers) {
    for (ServiceCore.Answer<Consumer<KvReply>, KvReply> a : answers) {
      KvReply r = a.result();
      a.caller().accept(r != null ? r : new KvReply.WrongLeader(net.peer(me) == null
          ? Optional.empty() : net.peer(me).node().leader()));
    }
  }
}
