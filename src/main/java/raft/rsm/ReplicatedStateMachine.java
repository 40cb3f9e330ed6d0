package raft.rsm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.peer.Applied;
import raft.peer.RaftPeer;
import wire.Bytes;

/**
 * One replica of a replicated service as an actor: hosts its {@link RaftPeer} as a child, proposes
 * submitted commands as {@link Envelope}s, applies committed entries through a {@link Replica}
 * (exactly once per client sequence number) and answers each caller when its own entry is applied
 * ({@link PendingCalls}). Snapshots the service when the log applied since the last snapshot grows
 * past a byte threshold, and restores from the snapshots the peer installs.
 *
 * <p>Generic in the command {@code C} and result {@code R}; a service (e.g. {@code kvraft.KvServer})
 * configures it with a {@link Service} and maps its own protocol onto {@link Submit}. Messages of
 * this protocol stay inside the actor (the service translates its serializable messages into them),
 * so they need not be serializable.
 */
public final class ReplicatedStateMachine<C, R> extends AbstractBehavior<ReplicatedStateMachine.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStateMachine.class);
  /** How long the peer may take to answer a proposal before the caller is told Busy. */
  private static final Duration PROPOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final int RECENT_RESULTS = 4096;

  private record RecentResult<R>(long term, R result) {}

  public interface Command {}

  /** Run {@code command} for client {@code clientId} as its write {@code seq} (0 for reads). */
  public record Submit<C, R>(long clientId, long seq, C command, ActorRef<R> replyTo) implements Command {}

  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  private record WrappedApplied(Applied applied) implements Command {}

  private record Proposed<R>(ProposeResult result, Throwable failure, ActorRef<R> replyTo) implements Command {}

  /** The typed answers the replica gives when a command was not applied. */
  public interface Replies<R> {
    R wrongLeader(Optional<PeerId> hint);

    R busy();

    R rejected(String reason);
  }

  /**
   * What the service plugs in.
   *
   * @param machine a fresh, empty state machine (owned by this actor from now on)
   * @param check why a command is refused before it reaches the log, or empty to accept it
   * @param snapshotThresholdBytes snapshot once the entries applied since the last snapshot exceed
   *     this many bytes; 0 or less: never
   */
  public record Service<C, R>(StateMachine<C, R> machine, Codec<C> commands, Codec<R> results, Replies<R> replies,
      Function<C, Optional<R>> check, long snapshotThresholdBytes) {}

  /**
   * How to start the peer: {@code create} builds its behaviour given where to send Applied;
   * {@code started} is told the peer's ref (e.g. to register it with a local transport).
   */
  public record PeerSpec(GroupId group, PeerId self, Function<ActorRef<Applied>, Behavior<RaftPeer.Command>> create,
      Consumer<ActorRef<RaftPeer.Command>> started) {}

  /** The child name of the peer, so a remote transport can address it under its service actor. */
  public static final String PEER_NAME = "raft";

  public static <C, R> Behavior<Command> create(PeerSpec peer, Service<C, R> service) {
    return Behaviors.setup(ctx -> new ReplicatedStateMachine<>(ctx, peer, service));
  }

  private final PeerSpec spec;
  private final Service<C, R> service;
  private final Replica<C, R> replica;
  private final PendingCalls<ActorRef<R>> pending = new PendingCalls<>();
  private final ActorRef<RaftPeer.Command> peer;
  private final String prefix;
  /**
   * Results of the latest applied entries by index. The peer's Accepted answer travels through an
   * ask and may arrive after the entry was already committed and applied (fast followers).
   */
  private final Map<Long, RecentResult<R>> recent = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, RecentResult<R>> eldest) {
      return size() > RECENT_RESULTS;
    }
  };
  /** Bytes of the entries applied since the last snapshot (taken or installed). */
  private long bytesSinceSnapshot;

  private ReplicatedStateMachine(ActorContext<Command> ctx, PeerSpec spec, Service<C, R> service) {
    super(ctx);
    this.spec = spec;
    this.service = service;
    this.replica = new Replica<>(service.machine(), service.commands(), service.results());
    this.prefix = "[" + spec.group() + " " + spec.self() + "] ";
    ActorRef<Applied> applied = ctx.messageAdapter(Applied.class, WrappedApplied::new);
    this.peer = ctx.spawn(spec.create().apply(applied), PEER_NAME);
    ctx.watch(peer);
    spec.started().accept(peer);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, s -> onSubmit((Submit<C, R>) s))
        .onMessage(Proposed.class, p -> onProposed((Proposed<R>) p))
        .onMessage(WrappedApplied.class, w -> onApplied(w.applied()))
        .onMessage(GetStatus.class, this::onGetStatus)
        .onSignal(Terminated.class, t -> onPeerStopped())
        .build();
  }

  private Behavior<Command> onSubmit(Submit<C, R> s) {
    if (s.seq() < 1 && !service.machine().isReadOnly(s.command())) {
      // Sessions dedupe writes by sequence number: a write without one could be dropped as a duplicate.
      s.replyTo().tell(service.replies().rejected("a write needs a sequence number >= 1, was " + s.seq()));
      return this;
    }
    Optional<R> refused = service.check().apply(s.command());
    if (refused.isPresent()) {
      s.replyTo().tell(refused.get());
      return this;
    }
    Bytes data = new Envelope<>(s.clientId(), s.seq(), s.command()).encode(service.commands());
    getContext().ask(ProposeResult.class, peer, PROPOSE_TIMEOUT, to -> new RaftPeer.Propose(data, to),
        (result, failure) -> new Proposed<>(result, failure, s.replyTo()));
    return this;
  }

  private Behavior<Command> onProposed(Proposed<R> p) {
    ProposeResult r = p.result();
    Replies<R> replies = service.replies();
    if (r instanceof ProposeResult.Accepted a) {
      if (a.index() > replica.appliedIndex()) {
        pending.add(a.index(), a.term(), p.replyTo());
      } else { // applied before the answer came back
        RecentResult<R> done = recent.get(a.index());
        boolean ours = done != null && done.term() == a.term() && done.result() != null;
        p.replyTo().tell(ours ? done.result() : replies.wrongLeader(Optional.empty()));
      }
    } else if (r instanceof ProposeResult.NotLeader n) {
      p.replyTo().tell(replies.wrongLeader(n.leaderHint()));
    } else if (r instanceof ProposeResult.TooLarge t) {
      p.replyTo().tell(replies.rejected("command of " + t.bytes() + " bytes is above the maximum of " + t.maxBytes()));
    } else {
      p.replyTo().tell(replies.busy()); // Busy, or the peer did not answer in time
    }
    return this;
  }

  private Behavior<Command> onApplied(Applied a) {
    if (a instanceof Applied.SnapshotInstalled s) installSnapshot(s.snapshot());
    else if (a instanceof Applied.Committed c) applyCommitted(c);
    return this;
  }

  private void installSnapshot(Snapshot s) {
    long index = s.meta().index();
    if (index <= replica.appliedIndex()) return; // nothing newer than what this replica holds
    replica.restore(index, s.data());
    recent.clear();
    bytesSinceSnapshot = 0;
    LOG.info("{}restored snapshot at index {} ({} bytes, {} client sessions)", prefix, index, s.data().size(),
        replica.sessions().size());
    for (PendingCalls.Finished<ActorRef<R>> f : pending.coveredBySnapshot(index)) {
      f.caller().tell(service.replies().wrongLeader(Optional.empty())); // result unknown here: retry
    }
  }

  private void applyCommitted(Applied.Committed c) {
    for (LogEntry e : c.entries()) {
      if (e.index() <= replica.appliedIndex()) continue; // covered by a snapshot installed meanwhile
      Replica.Outcome<R> out = replica.apply(e.index(), e.command());
      bytesSinceSnapshot += e.sizeBytes();
      recent.put(e.index(), new RecentResult<>(e.term(), out.result()));
      for (PendingCalls.Finished<ActorRef<R>> f : pending.applied(e.index(), e.term())) {
        boolean answered = f.applied() && out.result() != null;
        f.caller().tell(answered ? out.result() : service.replies().wrongLeader(Optional.empty()));
      }
    }
    long threshold = service.snapshotThresholdBytes();
    if (threshold > 0 && bytesSinceSnapshot > threshold) {
      peer.tell(new RaftPeer.TakeSnapshot(replica.appliedIndex(), replica.snapshot()));
      bytesSinceSnapshot = 0;
    }
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    peer.tell(new RaftPeer.GetStatus(g.replyTo()));
    return this;
  }

  /** Without its peer the replica can do nothing: stop, so whoever supervises sees it. */
  private Behavior<Command> onPeerStopped() {
    LOG.error("{}Raft peer stopped; stopping the replica", prefix);
    for (PendingCalls.Finished<ActorRef<R>> f : pending.drain()) f.caller().tell(service.replies().busy());
    return Behaviors.stopped();
  }
}
