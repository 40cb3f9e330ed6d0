package testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.MemoryLogStorage;
import raft.core.ProposeResult;
import raft.core.RaftLogger;
import raft.core.RaftNode;
import raft.core.ReadState;
import raft.core.Ready;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.RaftMessage;
import wire.Bytes;

/**
 * One incarnation of a peer in a simulation: the pure core, its in-memory "disk" and the Ready
 * loop the actor runs (persist, then send, then apply, then advance; a leader sends first), without threads.
 * A crash simply drops this object; the next incarnation starts from a copy of its storage.
 */
public final class SimPeer {
  private final PeerId id;
  private final MemoryLogStorage storage;
  private final RaftNode node;
  private final ApplyListener listener;
  /** Reads the core released or dropped, in order, until the test takes them. */
  private final List<ReadState> readStates = new ArrayList<>();
  private final List<Long> droppedReads = new ArrayList<>();

  private SimPeer(PeerId id, MemoryLogStorage storage, RaftNode node, ApplyListener listener) {
    this.id = id;
    this.storage = storage;
    this.node = node;
    this.listener = listener;
  }

  /** Starts a peer on {@code storage} (which it then owns), with randomness from {@code seed}. */
  public static SimPeer start(PeerId id, Set<PeerId> voters, RaftConfig cfg, MemoryLogStorage storage, long seed,
      RaftLogger logger, ApplyListener listener) {
    RaftNode node = RaftNode.start(id, voters, cfg, storage, new SplittableRandom(seed), logger);
    return new SimPeer(id, storage, node, listener);
  }

  /** Starts a peer with a bootstrap membership (which need not contain it: a peer about to be added). */
  public static SimPeer start(PeerId id, Membership bootstrap, RaftConfig cfg, MemoryLogStorage storage, long seed,
      RaftLogger logger, ApplyListener listener) {
    RaftNode node = RaftNode.start(id, bootstrap, cfg, storage, new SplittableRandom(seed), logger);
    return new SimPeer(id, storage, node, listener);
  }

  public PeerId id() {
    return id;
  }

  public RaftNode node() {
    return node;
  }

  public MemoryLogStorage storage() {
    return storage;
  }

  public void tick() {
    node.tick();
  }

  public void step(RaftMessage m) {
    node.step(m);
  }

  public ProposeResult propose(Bytes command) {
    return node.propose(command);
  }

  /** The service snapshots everything up to index (the lab's Snapshot(index, bytes)). */
  public void snapshot(long index, Bytes data) {
    storage.compact(index, data);
  }

  /** The reads released since the last call, in order. */
  public List<ReadState> takeReadStates() {
    List<ReadState> out = List.copyOf(readStates);
    readStates.clear();
    return out;
  }

  /** The ids of the reads dropped since the last call, in order. */
  public List<Long> takeDroppedReads() {
    List<Long> out = List.copyOf(droppedReads);
    droppedReads.clear();
    return out;
  }

  /** Runs the Ready loop until the core is quiet; returns the messages to send. */
  public List<RaftMessage> drain() {
    List<RaftMessage> out = new ArrayList<>();
    while (node.hasReady()) {
      Ready rd = node.ready();
      if (rd.sendBeforePersist()) out.addAll(rd.messages());
      storage.save(rd);
      if (!rd.sendBeforePersist()) out.addAll(rd.messages());
      rd.snapshot().ifPresent(s -> listener.snapshotInstalled(id, s));
      for (LogEntry e : rd.committed()) listener.applied(id, e);
      readStates.addAll(rd.readStates());
      droppedReads.addAll(rd.droppedReads());
      for (ReadState rs : rd.readStates()) listener.readReleased(id, rs);
      for (long dropped : rd.droppedReads()) listener.readDropped(id, dropped);
      node.advance(rd);
    }
    return out;
  }
}
