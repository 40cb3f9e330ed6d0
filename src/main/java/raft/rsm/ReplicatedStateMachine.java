package raft.rsm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.core.ProposeResult;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.message.MembershipChange;
import raft.peer.Applied;
import raft.peer.RaftPeer;
import raft.peer.ReadIndexReply;
import raft.peer.SnapshotFile;
import raft.peer.SnapshotFiles;
import raft.peer.SnapshotImage;
import raft.peer.TaggedProposeResult;
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
  /** How long the peer may take to confirm a read index before the caller is told Busy. */
  private static final Duration READ_INDEX_TIMEOUT = Duration.ofSeconds(5);


  public interface Command {}

  /**
   * Run {@code command} for client {@code clientId} as its write {@code seq} (0 for reads). A
   * query ({@link StateMachine#isQuery}) is read locally at the {@code consistency} asked for;
   * other commands go through the log.
   */
  public record Submit<C, R>(long clientId, long seq, C command, ReadConsistency consistency, ActorRef<R> replyTo)
      implements Command {
    public Submit {
      if (consistency == null) consistency = ReadConsistency.LINEARIZABLE;
    }

    /** A linearizable call. */
    public Submit(long clientId, long seq, C command, ActorRef<R> replyTo) {
      this(clientId, seq, command, ReadConsistency.LINEARIZABLE, replyTo);
    }
  }

  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  /** Who belongs to the group, as this replica sees it: {@link AdminReply.Members}. */
  public record GetMembers(ActorRef<AdminReply> replyTo) implements Command {}

  /** An operator's membership change: {@link AdminReply.Changed} once applied on this leader, or why not. */
  public record ChangeMembership(List<MembershipChange> changes, ActorRef<AdminReply> replyTo) implements Command {}

  /** Hands leadership to {@code target} (or the most up-to-date voter): {@link AdminReply.TransferStarted}, or why not. */
  public record TransferLeadership(Optional<PeerId> target, ActorRef<AdminReply> replyTo) implements Command {}

  private record WrappedApplied(Applied applied) implements Command {}

  private record Proposed(TaggedProposeResult answer) implements Command {}

  private record ReadIndexed<C, R>(ReadIndexReply reply, C command, ActorRef<R> replyTo) implements Command {}

  /** The snapshot image written at {@code index} is durable ({@code file}), or could not be made so. */
  private record SnapshotSynced(long index, SnapshotFile file, Throwable failure) implements Command {}

  /** The typed answers the replica gives when a command was not applied (or was applied as a failure). */
  public interface Replies<R> extends Replica.Refusals<R> {
    R wrongLeader(Optional<PeerId> hint);

    R busy();
  }

  /** Default bound on calls waiting for their entry to commit, per replica. */
  public static final int DEFAULT_MAX_WAITING_CALLS = 2_048;

  /**
   * What the service plugs in.
   *
   * @param machine a fresh, empty state machine (owned by this actor from now on)
   * @param check why a command is refused before it reaches the log, or empty to accept it
   * @param snapshotThresholdBytes snapshot once the entries applied since the last snapshot exceed
   *     this many bytes; 0 or less: never
   * @param maxSessions client sessions kept for exactly-once ({@link ClientSessions})
   * @param maxWaitingCalls calls proposed or waiting for their entry to commit, past which new
   *     calls are answered Busy (a leader cut off from its majority cannot collect them without bound)
   */
  public record Service<C, R>(StateMachine<C, R> machine, Codec<C> commands, Codec<R> results, Replies<R> replies,
      Function<C, Optional<R>> check, long snapshotThresholdBytes, int maxSessions, int maxWaitingCalls) {

    public Service {
      if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be >= 1, was " + maxSessions);
      if (maxWaitingCalls < 1) throw new IllegalArgumentException("maxWaitingCalls must be >= 1, was " + maxWaitingCalls);
    }

    /** With the default bounds. */
    public Service(StateMachine<C, R> machine, Codec<C> commands, Codec<R> results, Replies<R> replies,
        Function<C, Optional<R>> check, long snapshotThresholdBytes) {
      this(machine, commands, results, replies, check, snapshotThresholdBytes, ClientSessions.DEFAULT_MAX_SESSIONS,
          DEFAULT_MAX_WAITING_CALLS);
    }
  }

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
  private final ServiceCore<C, R, ActorRef<R>> core;
  private final ActorRef<RaftPeer.Command> peer;
  /** The peer's snapshot store (from {@link Applied.SnapshotDirectory}); null until it names it. */
  private SnapshotFiles snapshotFiles;
  /** Bytes of the entries applied since the last snapshot (taken or installed). */
  private long bytesSinceSnapshot;
  /** A snapshot file is being fsynced off this actor; no other is taken until it is done. */
  private boolean snapshotSyncing;
  /** Where snapshot fsyncs run: Akka's blocking-I/O pool, never the dispatcher all actors share. */
  private final Executor blockingIo;
  /**
   * Callers of the proposals handed to the peer and not answered yet, by the id the proposal was
   * tagged with ({@link RaftPeer.ProposeTagged}): one message adapter takes every answer, no ask per write.
   */
  private final Map<Long, ActorRef<R>> proposing = new HashMap<>();
  private long lastProposalId;
  private final ActorRef<TaggedProposeResult> proposalAnswers;
  /** Read indexes asked of the peer and not answered yet. */
  private int readIndexesAsked;
  /** What the peer last said of its role ({@link Applied.RoleChanged}); not leading until it says so. */
  private Applied.RoleChanged role = new Applied.RoleChanged(0, RaftRole.FOLLOWER, Optional.empty());
  private final AdminRequests admin;

  private ReplicatedStateMachine(ActorContext<Command> ctx, PeerSpec spec, Service<C, R> service) {
    super(ctx);
    this.spec = spec;
    this.service = service;
    this.core = new ServiceCore<>(new Replica<>(service.machine(), service.commands(), service.results(),
        service.replies(), service.maxSessions()), service.commands(), service.snapshotThresholdBytes());
    ActorRef<Applied> applied = ctx.messageAdapter(Applied.class, WrappedApplied::new);
    this.proposalAnswers = ctx.messageAdapter(TaggedProposeResult.class, Proposed::new);
    this.peer = ctx.spawn(spec.create().apply(applied), PEER_NAME);
    ctx.watch(peer);
    spec.started().accept(peer);
    this.admin = new AdminRequests(ctx, peer);
    this.blockingIo = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  @SuppressWarnings("unchecked")
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, s -> onSubmit((Submit<C, R>) s))
        .onMessage(Proposed.class, this::onProposed)
        .onMessage(ReadIndexed.class, r -> onReadIndexed((ReadIndexed<C, R>) r))
        .onMessage(WrappedApplied.class, w -> onApplied(w.applied()))
        .onMessage(SnapshotSynced.class, this::onSnapshotSynced)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(GetMembers.class, g -> run(() -> admin.members(g.replyTo())))
        .onMessage(ChangeMembership.class, c -> run(() -> admin.change(c.changes(), c.replyTo())))
        .onMessage(TransferLeadership.class, t -> run(() -> admin.transfer(t.target(), t.replyTo())))
        .onMessage(AdminRequests.Answered.class, a -> run(() -> admin.onAnswered(a, role)))
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
    if (proposing.size() + readIndexesAsked + core.waiting() >= service.maxWaitingCalls()) {
      s.replyTo().tell(service.replies().busy()); // e.g. a leader cut off from its majority: shed, do not collect
      return this;
    }
    if (service.machine().isQuery(s.command())) return query(s);
    Bytes data = core.encode(new Envelope<>(s.clientId(), s.seq(), s.command()));
    long id = ++lastProposalId;
    proposing.put(id, s.replyTo());
    peer.tell(new RaftPeer.ProposeTagged(id, data, proposalAnswers));
    return this;
  }

  /**
   * A query never enters the log. Serializable: the local state as applied now. Linearizable: the
   * peer confirms a read index (ReadIndex; leader or follower alike) and the query runs here once
   * this replica has applied up to it.
   */
  private Behavior<Command> query(Submit<C, R> s) {
    if (s.consistency() == ReadConsistency.SERIALIZABLE) {
      core.query(core.replica().appliedIndex(), s.command(), s.replyTo()).ifPresent(this::answer);
      return this;
    }
    readIndexesAsked++;
    boolean lease = s.consistency() == ReadConsistency.LEASE;
    getContext().ask(ReadIndexReply.class, peer, READ_INDEX_TIMEOUT, to -> new RaftPeer.ReadIndex(lease, to),
        (reply, failure) -> new ReadIndexed<>(reply, s.command(), s.replyTo()));
    return this;
  }

  private Behavior<Command> onReadIndexed(ReadIndexed<C, R> r) {
    readIndexesAsked--;
    if (r.reply() instanceof ReadIndexReply.Confirmed c) core.query(c.index(), r.command(), r.replyTo()).ifPresent(this::answer);
    else if (r.reply() instanceof ReadIndexReply.NotLeader n) r.replyTo().tell(service.replies().wrongLeader(n.leaderHint()));
    else if (r.reply() instanceof ReadIndexReply.LeaseNotConfigured)
      r.replyTo().tell(service.replies().rejected("lease reads are not configured on this node"
          + " (raftkv.raft.read-lease); allowed here: linearizable, serializable"));
    else r.replyTo().tell(service.replies().busy()); // the peer did not answer in time
    return this;
  }

  private Behavior<Command> onProposed(Proposed p) {
    ActorRef<R> caller = proposing.remove(p.answer().id());
    if (caller == null) return this; // answered already (the peer stopped meanwhile)
    ProposeResult r = p.answer().result();
    Replies<R> replies = service.replies();
    if (r instanceof ProposeResult.Accepted a && !(role.isLeader() && role.term() == a.term())) {
      // Accepted in a term this peer no longer leads: RoleChanged came first and failed the
      // waiting calls; this one would wait for an entry that may never commit.
      caller.tell(replies.wrongLeader(role.leaderHint()));
    } else if (r instanceof ProposeResult.Accepted a) {
      core.proposed(a.index(), a.term(), caller).ifPresent(this::answer); // present if applied already
    } else if (r instanceof ProposeResult.NotLeader n) {
      caller.tell(replies.wrongLeader(n.leaderHint()));
    } else if (r instanceof ProposeResult.TooLarge t) {
      caller.tell(replies.rejected("command of " + t.bytes() + " bytes is above the maximum of " + t.maxBytes()));
    } else {
      caller.tell(replies.busy());
    }
    return this;
  }

  private Behavior<Command> onApplied(Applied a) {
    if (a instanceof Applied.SnapshotInstalled s) installSnapshot(s);
    else if (a instanceof Applied.SnapshotDirectory d) snapshotFiles = d.files();
    else if (a instanceof Applied.Committed c) applyCommitted(c);
    else if (a instanceof Applied.RoleChanged r) onRoleChanged(r);
    return this;
  }

  /**
   * The peer stopped leading or changed term: no call waiting here can learn its result from this
   * peer's leadership any more, so each is told WrongLeader (with the hint) at once instead of
   * waiting for its client's timeout. Its entry may still commit under the next leader; the
   * client's retry with the same sequence number is then answered from the session.
   */
  private void onRoleChanged(Applied.RoleChanged r) {
    Applied.RoleChanged was = role;
    role = r;
    if (!was.isLeader() || (r.isLeader() && r.term() == was.term())) return;
    admin.leadershipLost(r.leaderHint());
    List<ServiceCore.Answer<ActorRef<R>, R>> failed = core.leadershipLost();
    if (!failed.isEmpty()) {
      LOG.info("no longer leading in term {} ({} in term {}, leader {}): {} waiting calls told WrongLeader", was.term(),
          r.role(), r.term(), r.leaderHint().map(Object::toString).orElse("unknown"), failed.size());
    }
    for (ServiceCore.Answer<ActorRef<R>, R> f : failed) f.caller().tell(service.replies().wrongLeader(r.leaderHint()));
  }

  /** Restores by reading the image as it goes (never whole in memory), then closes it. */
  private void installSnapshot(Applied.SnapshotInstalled s) {
    List<ServiceCore.Answer<ActorRef<R>, R>> retry;
    long index = s.meta().index();
    try (SnapshotImage image = s.image(); InputStream in = image.open()) {
      if (index <= core.replica().appliedIndex()) return; // nothing newer than what this replica holds
      retry = core.restore(index, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the snapshot at index " + index, e);
    }
    admin.snapshotInstalled(index, role.leaderHint());
    bytesSinceSnapshot = 0;
    LOG.info("restored snapshot at index {} ({} bytes, {} client sessions)", index, s.image().size(),
        core.replica().sessions().size());
    retry.forEach(this::answer);
  }

  /** A result, or for a caller whose entry was not the one applied: retry (result unknown here). */
  private void answer(ServiceCore.Answer<ActorRef<R>, R> a) {
    a.caller().tell(a.result() != null ? a.result() : service.replies().wrongLeader(Optional.empty()));
  }

  private void applyCommitted(Applied.Committed c) {
    for (LogEntry e : c.entries()) {
      if (e.index() <= core.replica().appliedIndex()) continue; // covered by a snapshot installed meanwhile
      core.apply(e).forEach(this::answer);
      admin.applied(e, role.leaderHint());
      bytesSinceSnapshot += e.sizeBytes();
    }
    // The log since the last snapshot is what the peer would replay: the lab's Raft state size.
    if (!snapshotSyncing && core.shouldSnapshot(bytesSinceSnapshot)) {
      takeSnapshot();
      bytesSinceSnapshot = 0;
    }
  }

  private Behavior<Command> run(Runnable handler) {
    handler.run();
    return this;
  }

  /**
   * Streams the state into a file of the peer's store and, once it is durable, hands the peer its
   * reference: the image is never in memory whole. Only the writing runs here; the fsyncs run on
   * the blocking-I/O pool, because on the shared dispatcher (one thread on two cores) three replicas
   * snapshotting at the same index stalled every actor of the process for their fsyncs. (Before the
   * peer named its store, which it does first, the image goes inline.)
   */
  private void takeSnapshot() {
    long index = core.replica().appliedIndex();
    if (snapshotFiles == null) {
      peer.tell(new RaftPeer.TakeSnapshot(index, core.snapshot()));
      return;
    }
    try {
      long started = System.nanoTime();
      getContext().pipeToSelf(snapshotFiles.writeThenSync(index, core.replica()::writeSnapshot, blockingIo),
          (file, failure) -> new SnapshotSynced(index, file, failure));
      snapshotSyncing = true;
      LOG.debug("snapshot at index {} written in {} µs; syncing it off the actor", index,
          (System.nanoTime() - started) / 1_000);
    } catch (IOException e) {
      LOG.error("cannot write a snapshot at index {} to {}: {}; trying again later", index, snapshotFiles,
          e.toString());
    }
  }

  private Behavior<Command> onSnapshotSynced(SnapshotSynced s) {
    snapshotSyncing = false;
    if (s.failure() == null) {
      peer.tell(new RaftPeer.TakeSnapshot(s.index(), s.file().toHandle()));
    } else {
      LOG.error("cannot write a snapshot at index {} to {}: {}; trying again later", s.index(), snapshotFiles,
          s.failure().toString());
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    peer.tell(new RaftPeer.GetStatus(g.replyTo()));
    return this;
  }

  /** Without its peer the replica can do nothing: stop, so whoever supervises sees it. */
  private Behavior<Command> onPeerStopped() {
    LOG.error("Raft peer stopped; stopping the replica");
    for (ServiceCore.Answer<ActorRef<R>, R> a : core.drain()) a.caller().tell(service.replies().busy());
    for (ActorRef<R> caller : proposing.values()) caller.tell(service.replies().busy()); // never answered now
    proposing.clear();
    return Behaviors.stopped();
  }
}
