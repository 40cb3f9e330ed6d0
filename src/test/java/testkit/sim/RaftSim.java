package testkit.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.RaftLogger;
import raft.core.RaftRole;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.RaftMessage;
import raft.message.Snapshot;
import wire.Bytes;

/**
 * A deterministic in-process network of pure Raft peers (etcd's {@code network}, raft-rs's
 * {@code Network}): messages queue up and are delivered by {@link #stabilize()}; links can be cut;
 * peers can crash and restart from their persisted storage. No threads, no clock.
 */
public final class RaftSim implements ApplyListener {
  private final RaftConfig cfg;
  private final Membership bootstrap;
  private final Map<PeerId, SimPeer> peers = new TreeMap<>();
  private final Map<PeerId, MemoryLogStorage> disks = new HashMap<>();
  private final Map<PeerId, TreeMap<Long, Bytes>> applied = new HashMap<>();
  /** The last index each peer applied (commands and Raft's own entries). */
  private final Map<PeerId, Long> lastApplied = new HashMap<>();
  private final ArrayDeque<RaftMessage> queue = new ArrayDeque<>();
  private final Set<List<PeerId>> cut = new HashSet<>();
  private Predicate<RaftMessage> dropFilter = m -> false;
  private long seed;
  private final RaftLogger logger;

  public RaftSim(int n, RaftConfig cfg, long seed, RaftLogger logger) {
    this(voters(n), cfg, seed, logger);
  }

  /** A group bootstrapped with this membership: every member runs. */
  public RaftSim(Membership bootstrap, RaftConfig cfg, long seed, RaftLogger logger) {
    this.cfg = cfg;
    this.seed = seed;
    this.logger = logger;
    this.bootstrap = bootstrap;
    for (PeerId id : bootstrap.members()) addPeer(id);
  }

  private static Membership voters(int n) {
    Set<PeerId> ids = new LinkedHashSet<>();
    for (int i = 1; i <= n; i++) ids.add(p(i));
    return Membership.ofVoters(ids);
  }

  /** Starts a peer on an empty disk with the bootstrap membership (for a peer about to be added: not in it). */
  public void addPeer(PeerId id) {
    disks.put(id, new MemoryLogStorage());
    startPeer(id);
  }

  public static PeerId p(int i) {
    return PeerId.of("p" + i);
  }

  private void startPeer(PeerId id) {
    applied.put(id, new TreeMap<>());
    lastApplied.remove(id);
    peers.put(id, SimPeer.start(id, bootstrap, cfg, disks.get(id), seed++, logger, this));
  }

  public SimPeer peer(PeerId id) {
    return peers.get(id);
  }

  public void tick(PeerId id, int times) {
    for (int i = 0; i < times; i++) {
      SimPeer peer = peers.get(id);
      if (peer == null) return;
      peer.tick();
      enqueue(peer.drain());
    }
  }

  public void tickAll(int times) {
    for (int i = 0; i < times; i++) {
      for (PeerId id : List.copyOf(peers.keySet())) tick(id, 1);
    }
  }

  /**
   * Ticks one peer until it starts an election (pre-vote or vote), then delivers everything.
   * Stops at the first tick that starts one: a fixed count of 2 × electionTicks could time out
   * twice when both randomized timeouts draw the minimum, and campaign at term 2.
   */
  public void campaign(PeerId id) {
    for (int i = 0; i < 2 * cfg.electionTicks() && peers.get(id).node().status().role() == RaftRole.FOLLOWER; i++) {
      tick(id, 1);
    }
    if (peers.get(id).node().status().role() == RaftRole.FOLLOWER) {
      throw new IllegalStateException(id + " did not start an election within 2 × electionTicks");
    }
    stabilize();
  }

  /**
   * Ticks these peers together, one tick each and then everything delivered, until one of them
   * leads at a term above {@code aboveTerm}; returns it. For peers still in their leader's lease
   * (thesis §4.2.3): {@link #campaign} ticks only the campaigner, whose votes the others then
   * ignore. A split vote simply runs into the next timeout.
   *
   * @throws IllegalStateException if none leads within {@code maxTicks}
   */
  public PeerId tickUntilLeader(List<PeerId> ids, long aboveTerm, int maxTicks) {
    for (int t = 0; t < maxTicks; t++) {
      for (PeerId id : ids) tick(id, 1);
      stabilize();
      for (PeerId id : ids) {
        SimPeer peer = peers.get(id);
        if (peer != null && peer.node().isLeader() && peer.node().term() > aboveTerm) return id;
      }
    }
    throw new IllegalStateException("none of " + ids + " became leader above term " + aboveTerm + " in " + maxTicks + " ticks");
  }

  public ProposeResult propose(PeerId id, String command) {
    ProposeResult r = peers.get(id).propose(Bytes.utf8(command));
    enqueue(peers.get(id).drain());
    return r;
  }

  /** Runs the peer's Ready loop after the test drove its core directly (e.g. transferLeadership) and queues what it sent. */
  public void enqueueFrom(PeerId id) {
    enqueue(peers.get(id).drain());
  }

  /** Queues messages a test drained from a peer itself (after looking at them). */
  public void send(List<RaftMessage> messages) {
    enqueue(messages);
  }

  /**
   * One round the way a peer actor runs: each peer takes every message queued for it and then a
   * tick, and only then runs its Ready loop, once for all of them (several inputs per Ready, as a
   * mailbox holding several messages gives). What they send waits for the next round.
   */
  public void round() {
    Map<PeerId, List<RaftMessage>> inbox = new TreeMap<>();
    for (RaftMessage m : queue) {
      if (!peers.containsKey(m.to()) || cut.contains(List.of(m.from(), m.to())) || dropFilter.test(m)) continue;
      inbox.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(m);
    }
    queue.clear();
    for (SimPeer peer : List.copyOf(peers.values())) {
      for (RaftMessage m : inbox.getOrDefault(peer.id(), List.of())) peer.step(m);
      peer.tick();
      enqueue(peer.drain());
    }
  }

  /** Delivers messages until none are left. */
  public void stabilize() {
    int guard = 0;
    while (!queue.isEmpty()) {
      if (++guard > 1_000_000) throw new IllegalStateException("network did not stabilize");
      RaftMessage m = queue.pollFirst();
      SimPeer to = peers.get(m.to());
      if (to == null || cut.contains(List.of(m.from(), m.to())) || dropFilter.test(m)) continue;
      to.step(m);
      enqueue(to.drain());
    }
  }

  private void enqueue(List<RaftMessage> messages) {
    queue.addAll(messages);
  }

  public void cut(PeerId a, PeerId b) {
    cut.add(List.of(a, b));
    cut.add(List.of(b, a));
  }

  public void isolate(PeerId id) {
    for (PeerId other : List.copyOf(peers.keySet())) if (!other.equals(id)) cut(id, other);
  }

  public void heal() {
    cut.clear();
    dropFilter = m -> false;
  }

  public void drop(Predicate<RaftMessage> filter) {
    this.dropFilter = filter;
  }

  /** Crashes a peer: its volatile state is gone, its disk stays. */
  public void crash(PeerId id) {
    peers.remove(id);
    disks.put(id, disks.get(id).copy());
  }

  public void restart(PeerId id) {
    startPeer(id);
  }

  public Optional<PeerId> leader() {
    return peers.values().stream().filter(p -> p.node().isLeader())
        .max((a, b) -> Long.compare(a.node().term(), b.node().term())).map(SimPeer::id);
  }

  /** Commands applied by this incarnation of the peer, in index order (a snapshot counts as its marker). */
  public List<String> appliedCommands(PeerId id) {
    List<String> out = new ArrayList<>();
    for (Bytes b : applied.get(id).values()) out.add(b.utf8());
    return out;
  }

  public TreeMap<Long, Bytes> appliedByIndex(PeerId id) {
    return applied.get(id);
  }

  @Override
  public void applied(PeerId peer, LogEntry entry) {
    TreeMap<Long, Bytes> log = applied.get(peer);
    Long last = lastApplied.get(peer);
    if (last != null && entry.index() != last + 1)
      throw new AssertionError(peer + " applied " + entry.index() + " out of order, expected " + (last + 1));
    lastApplied.put(peer, entry.index());
    if (entry.isNormal()) log.put(entry.index(), entry.command()); // commands only: what a service sees
  }

  @Override
  public void snapshotInstalled(PeerId peer, Snapshot snapshot) {
    TreeMap<Long, Bytes> log = applied.get(peer);
    log.clear();
    log.put(snapshot.meta().index(), snapshot.data());
    lastApplied.put(peer, snapshot.meta().index());
  }
}
