package raft.peer;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.RecoveryFailed;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.typesafe.config.Config;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftNode;
import raft.core.RaftStatus;
import raft.core.ReadState;
import raft.core.Ready;
import raft.logging.ReplicaMdc;
import raft.logging.Slf4jRaftLogger;
import raft.core.TransferResult;
import raft.message.InstallSnapshot;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.RaftMessage;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import raft.transport.PeerTransport;
import wire.Bytes;
import wire.CborSerializable;

/**
 * One Raft peer as an event-sourced actor: the only place the pure core meets Akka.
 *
 * <p>The journal holds the durable half ({@link DurableState}, rebuilt by replay); the volatile
 * half (role, commit index, progress) is the {@link RaftNode} field, rebuilt on
 * {@code RecoveryCompleted} exactly as Raft says volatile state is lost on a restart.
 *
 * <p>The Ready loop: every command feeds the core without writing anything. When the core has
 * work, the peer sends itself one {@link Flush}; on it, the whole Ready goes into one
 * {@code persist(List)} call (a leader's appends leave just before it, so followers write in
 * parallel); after the write: other messages leave, committed entries go to the service, the
 * core is advanced and proposals that became durable are answered. Commands that
 * arrive during the write are stashed by Akka and fed into the core afterwards, so they all go
 * into the next single write: one fsync per turn, however many proposals it carries.
 */
public final class RaftPeer extends EventSourcedBehavior<RaftPeer.Command, RaftEvent, DurableState> {
  private static final Logger LOG = LoggerFactory.getLogger(RaftPeer.class);

  // ---- protocol --------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  /**
   * Appends a command to the log if this peer leads. Answered {@code Accepted(index, term)} once
   * the entry is durable here (committed only when a majority holds it: watch {@link Applied}),
   * {@code NotLeader} with a hint, {@code TooLarge}, or {@code Busy} under overload.
   */
  public record Propose(Bytes command, ActorRef<ProposeResult> replyTo) implements Proposal {
    @Override
    public void answer(ProposeResult result) {
      replyTo.tell(result);
    }
  }

  /**
   * {@link Propose} for a caller with many proposals in flight (a replicated service): answered
   * alike, each answer tagged with the caller's {@code id} for it ({@link TaggedProposeResult}),
   * so one message adapter takes them all and no ask (a temporary actor and a timer) is needed per
   * proposal. Answers of different proposals may come in another order than the proposals: Busy
   * and NotLeader are given at once, Accepted once the entry is durable.
   */
  public record ProposeTagged(long id, Bytes command, ActorRef<TaggedProposeResult> replyTo) implements Proposal {
    @Override
    public void answer(ProposeResult result) {
      replyTo.tell(new TaggedProposeResult(id, result));
    }
  }

  /** A command to append to the log, and how its proposer is answered. */
  sealed interface Proposal extends Command {
    Bytes command();

    void answer(ProposeResult result);
  }

  /** A message from another peer, handed over by the transport. */
  public record Deliver(RaftMessage message) implements Command {}

  /** A chunk of a leader's snapshot, or a follower's acknowledgement of one (see {@link SnapshotStream}). */
  public record DeliverSnapshotStream(SnapshotStream part) implements Command {}

  /**
   * From the service: its state after applying entries 1..index, as the reference
   * ({@link SnapshotFile#toHandle()}) of a file it wrote to the peer's {@link SnapshotFiles}
   * ({@link Applied.SnapshotDirectory}), or as the image itself (small images, tests: the peer
   * writes it to a file). The peer saves it as its snapshot, journaling only the reference, and
   * drops the log up to index. Ignored (its file deleted) if index is not above the current
   * snapshot or beyond what has been applied.
   */
  public record TakeSnapshot(long index, Bytes data) implements Command {}

  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  /**
   * Proposes a membership change ({@link RaftNode#proposeMembership}): answered like
   * {@link Propose}, {@code Accepted(index, term)} once the entry is durable here (in force on each
   * peer once applied there), else {@code NotLeader}, {@code TransferInProgress} or
   * {@code MembershipRefused(reason, peer)}, nothing changed.
   */
  public record ChangeMembership(List<MembershipChange> changes, ActorRef<ProposeResult> replyTo) implements Command {}

  /**
   * Hands leadership to {@code target}, or to the most up-to-date voter if empty
   * ({@link RaftNode#transferLeadership}); answered at once with {@code Started}, {@code NotLeader} or {@code Refused}.
   */
  public record TransferLeadership(Optional<PeerId> target, ActorRef<TransferResult> replyTo) implements Command {}

  /**
   * A linearizable read ({@link RaftNode#readIndex}): answered {@link ReadIndexReply.Confirmed}
   * with the index the caller must have applied before serving it, or {@link ReadIndexReply.NotLeader}.
   * On a leader, every read waiting when a heartbeat round starts rides that round; a follower asks its leader.
   */
  public record ReadIndex(boolean lease, ActorRef<ReadIndexReply> replyTo) implements Command {
    /** A ReadIndex read (a heartbeat round). */
    public ReadIndex(ActorRef<ReadIndexReply> replyTo) {
      this(false, replyTo);
    }
  }

  /** Who belongs to the group as this peer sees it ({@link MembershipStatus}); answered at once. */
  public record GetMembership(ActorRef<MembershipStatus> replyTo) implements Command {}

  /**
   * {@code peer}'s actor or node is gone or unreachable ({@link RaftNode#peerUnreachable}): a
   * quiesced peer wakes. Sent by the DeathWatch a quiesced follower keeps on its leader (where the
   * transport knows the leader's actor), or by whoever follows the cluster's reachability events.
   */
  public record PeerUnreachable(PeerId peer) implements Command {}

  /** One Raft tick; only our own timer sends it. */
  private enum Tick implements Command { INSTANCE }

  /** Run one turn of the Ready loop; only the peer itself sends it (package-private for the gate). */
  enum Flush implements Command { INSTANCE }

  /**
   * A peer of {@code group}; persistence id {@code raft-<group>|<self>}.
   *
   * @param voters every voter of the group, self included, no duplicates
   * @param applier receives committed entries and installed snapshots, in order
   * @throws IllegalArgumentException on an invalid configuration (checked here, before spawning)
   */
  public static Behavior<Command> create(GroupId group, PeerId self, List<PeerId> voters, RaftConfig cfg,
      PeerSettings settings, PeerTransport transport, ActorRef<Applied> applier) {
    Set<PeerId> voterSet = validate(self, voters, cfg, settings);
    return create(group, self, Membership.ofVoters(voterSet), cfg, settings, transport, applier, PeerMetrics.NOOP);
  }

  /** As above, reporting its journal writes and snapshots to {@code metrics}. */
  public static Behavior<Command> create(GroupId group, PeerId self, List<PeerId> voters, RaftConfig cfg,
      PeerSettings settings, PeerTransport transport, ActorRef<Applied> applier, PeerMetrics metrics) {
    Set<PeerId> voterSet = validate(self, voters, cfg, settings);
    return create(group, self, Membership.ofVoters(voterSet), cfg, settings, transport, applier, metrics);
  }

  /**
   * A peer whose empty log starts with the membership {@code bootstrap}; once its snapshot or log
   * records a membership, that one is in force ({@link RaftNode#start}). A peer that is not a voter
   * of {@code bootstrap} is a new member: it never campaigns and waits to be added by the leader.
   *
   * @throws IllegalArgumentException if {@code bootstrap} has no voter or the configuration is invalid
   */
  public static Behavior<Command> create(GroupId group, PeerId self, Membership bootstrap, RaftConfig cfg,
      PeerSettings settings, PeerTransport transport, ActorRef<Applied> applier) {
    return create(group, self, bootstrap, cfg, settings, transport, applier, PeerMetrics.NOOP);
  }

  /** As above, reporting its journal writes and snapshots to {@code metrics} ({@link PeerMetrics#NOOP}: nowhere). */
  public static Behavior<Command> create(GroupId group, PeerId self, Membership bootstrap, RaftConfig cfg,
      PeerSettings settings, PeerTransport transport, ActorRef<Applied> applier, PeerMetrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    if (bootstrap.voters().isEmpty()) throw new IllegalArgumentException("the bootstrap membership has no voter");
    cfg.validate();
    settings.validate();
    return ReplicaMdc.wrap(group, self, Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
          int stashCapacity = ctx.getSystem().settings().config().getInt("akka.persistence.typed.stash-capacity");
          ProposalGate gate = new ProposalGate(settings.maxPendingProposals(), stashCapacity);
          return Behaviors.intercept(() -> gate,
              new RaftPeer(ctx, timers, group, self, bootstrap, cfg, settings, transport, applier, gate, metrics));
        })));
  }

  public static PersistenceId persistenceId(GroupId group, PeerId self) {
    return PersistenceId.of("raft-" + group.id(), self.id());
  }

  static Set<PeerId> validate(PeerId self, List<PeerId> voters, RaftConfig cfg, PeerSettings settings) {
    Set<PeerId> set = new HashSet<>();
    for (PeerId p : voters) {
      if (!set.add(p)) throw new IllegalArgumentException("duplicate peer id " + p + " in voters " + voters);
    }
    if (!set.contains(self)) throw new IllegalArgumentException("peer " + self + " is not among the voters " + voters);
    cfg.validate();
    settings.validate();
    return Set.copyOf(set);
  }

  // ---- state -----------------------------------------------------------------------------

  /** A proposal accepted by the core, answered once its entry is durable. */
  private record Pending(long index, long term, Consumer<ProposeResult> answer) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final GroupId group;
  private final PeerId self;
  /** The membership of an empty log. */
  private final Membership bootstrap;
  private final RaftConfig cfg;
  private final PeerSettings settings;
  private final PeerTransport transport;
  private final ActorRef<Applied> applier;
  /** This peer's own lines, stamped with group, peer and term like the core's. */
  private final Slf4jRaftLogger log;
  private final ProposalGate gate;
  /** Streams this leader's snapshots in chunks (when the transport streams them). */
  private final SnapshotSender snapshotSender;
  /** Reassembles a leader's streamed snapshot. */
  private final SnapshotReceiver snapshotReceiver;
  /** The snapshot images: the journal and the core hold only references to these files. */
  private final SnapshotFiles snapshotFiles;
  private final PeerMetrics metrics;

  /** The volatile half; null until recovery completes. */
  private RaftNode node;
  /** Accepted by the core, entry not yet handed to a write. */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** Reads handed to the core and not answered yet, by the id the core knows them by. */
  private final Map<Long, ActorRef<ReadIndexReply>> reads = new HashMap<>();
  private long nextReadId;
  /** Proposals whose entries are in the write in flight. */
  private int inWrite;
  private boolean flushScheduled;
  /** The role last reported to the service; null before the first report. */
  private Applied.RoleChanged reportedRole;
  /** The tick timer runs; stopped while the core is quiesced and nothing here waits for a tick. */
  private boolean ticking;
  /** The leader this quiesced follower watches (DeathWatch), if any. */
  private PeerId watchedLeader;
  /** Ticks handled since the Flush in flight was sent. */
  private int ticksWaitingForFlush;
  /** Ticks handled behind a Flush before the peer sends another (ticks stashed behind a slow write also count). */
  private static final int STALE_FLUSH_TICKS = 10;

  private RaftPeer(ActorContext<Command> context, TimerScheduler<Command> timers, GroupId group, PeerId self,
      Membership bootstrap, RaftConfig cfg, PeerSettings settings, PeerTransport transport, ActorRef<Applied> applier,
      ProposalGate gate, PeerMetrics metrics) {
    super(persistenceId(group, self));
    this.metrics = metrics;
    this.gate = gate;
    this.context = context;
    this.timers = timers;
    this.group = group;
    this.self = self;
    this.bootstrap = bootstrap;
    this.cfg = cfg;
    this.settings = settings;
    this.transport = transport;
    this.applier = applier;
    this.log = new Slf4jRaftLogger(LOG, group, self);
    int timeoutTicks = settings.snapshotChunkTimeoutTicks();
    this.snapshotFiles = new SnapshotFiles(SnapshotDirectory.of(context.getSystem(), settings.journalPluginId(), group, self));
    this.snapshotSender = new SnapshotSender(settings.snapshotChunkBytes(), settings.snapshotChunksInFlight(), timeoutTicks,
        s -> snapshotFiles.open(s.data()), transport::send, metrics::snapshotSent);
    this.snapshotReceiver = new SnapshotReceiver(self, snapshotFiles, timeoutTicks * 10, transport::send);
  }

  // ---- EventSourcedBehavior ---------------------------------------------------------------

  @Override
  public DurableState emptyState() {
    return new DurableState();
  }

  @Override
  public EventHandler<DurableState, RaftEvent> eventHandler() {
    return (state, event) -> state.updated(event);
  }

  @Override
  public CommandHandler<Command, RaftEvent, DurableState> commandHandler() {
    CommandHandler<Command, RaftEvent, DurableState> handler = newCommandHandlerBuilder().forAnyState()
        .onCommand(Propose.class, this::onPropose)
        .onCommand(ProposeTagged.class, this::onPropose)
        .onCommand(Deliver.class, this::onDeliver)
        .onCommand(DeliverSnapshotStream.class, this::onSnapshotStream)
        .onCommand(Tick.class, this::onTick)
        .onCommand(Flush.class, (state, flush) -> onFlush(state))
        .onCommand(TakeSnapshot.class, this::onTakeSnapshot)
        .onCommand(GetStatus.class, this::onGetStatus)
        .onCommand(ChangeMembership.class, this::onChangeMembership)
        .onCommand(TransferLeadership.class, this::onTransferLeadership)
        .onCommand(GetMembership.class, this::onGetMembership)
        .onCommand(ReadIndex.class, this::onReadIndex)
        .onCommand(PeerUnreachable.class, this::onPeerUnreachable)
        .build();
    return (state, command) -> {
      gate.handled(command);
      return handler.apply(state, command);
    };
  }

  @Override
  public SignalHandler<DurableState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .onSignal(RecoveryFailed.class, (state, failed) -> onRecoveryFailed(failed))
        .build();
  }

  @Override
  public String journalPluginId() {
    return settings.journalPluginId();
  }

  @Override
  public String snapshotPluginId() {
    return settings.snapshotPluginId();
  }

  /** An Akka snapshot right after a Raft snapshot, so recovery starts there. */
  @Override
  public boolean shouldSnapshot(DurableState state, RaftEvent event, long sequenceNr) {
    return event instanceof RaftEvent.SnapshotSaved || event instanceof RaftEvent.SnapshotInstalled;
  }

  /**
   * Akka 2.6 deletes events only after snapshots taken by retention criteria (there is no
   * deleteEvents effect in the typed API), so those also run every n events: each deletes the
   * events below the previous one.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents(), 1).withDeleteEventsOnSnapshot();
  }

  /** Akka snapshots store an immutable image, never the live mutable state. */
  @Override
  public SnapshotAdapter<DurableState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(DurableState state) {
        return state.image();
      }

      @Override
      public DurableState fromJournal(Object from) {
        return DurableState.fromImage((DurableState.Image) from);
      }
    };
  }

  // ---- recovery ---------------------------------------------------------------------------

  private void onRecoveryCompleted(DurableState state) {
    // Peers sharing settings (and seed) must still draw different election timeouts.
    long seed = (settings.seed() * 0x9E3779B97F4A7C15L + group.hashCode()) * 0x9E3779B97F4A7C15L + self.hashCode();
    node = RaftNode.start(self, bootstrap, cfg, state, new SplittableRandom(seed), new Slf4jRaftLogger(group, self));
    log.info(node.term(), "{} recovered [{}]", self, state);
    Optional<SnapshotFile> file = SnapshotFile.fromHandle(state.snapshot().data());
    if (file.isPresent() && !snapshotFiles.holds(file.get())) {
      log.error(node.term(), "{} refuses to start: its journal references the snapshot file {} in {}, which is missing "
          + "or of another size. Restore that file, or remove the journal to rejoin as a new empty peer.", self,
          file.get(), snapshotFiles.dir());
      throw new MissingSnapshotFileException(file.get(), snapshotFiles.dir());
    }
    // A file written but never referenced (a crash before its event) or no longer referenced goes.
    snapshotFiles.deleteAllBut(file);
    applier.tell(new Applied.SnapshotDirectory(snapshotFiles));
    // The service starts empty: give it the snapshot first; committed entries follow from the core.
    if (!state.snapshot().isEmpty()) applier.tell(installed(state.snapshot()));
    // The first tick at a seeded random phase: peers started together (one JVM, or the lab's virtual
    // time) would otherwise tick in lockstep, and two that draw the same timeout in ticks would
    // campaign at the same instant and split the vote, round after round.
    long tickNanos = settings.tickInterval().toNanos();
    Duration phase = Duration.ofNanos(new SplittableRandom(~seed).nextLong(tickNanos) + 1);
    timers.startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, phase, settings.tickInterval());
    ticking = true;
    reportRoleChange();
    scheduleFlushIfReady();
  }

  private void onRecoveryFailed(RecoveryFailed failed) {
    // The journal replayed; what is missing is a snapshot file, and onRecoveryCompleted said which.
    if (failed.getFailure() instanceof MissingSnapshotFileException) return;
    // No node yet, so no term: the group and peer come from the actor's MDC (ReplicaMdc).
    LOG.error("{} refuses to start: its journal {} could not be replayed ({}). Not starting with an empty "
        + "log: repair or restore the journal, or remove it to rejoin as a new empty peer.",
        self, journalLocation(), failed.getFailure().toString());
    // Akka stops the actor after this signal with the failure; a watching parent gets ChildFailed.
  }

  /** The journal's directory (LevelDB) or plugin id, for error messages. */
  private String journalLocation() {
    Config config = context.getSystem().settings().config();
    String plugin = settings.journalPluginId().isEmpty()
        ? config.getString("akka.persistence.journal.plugin") : settings.journalPluginId();
    String dirPath = plugin + ".dir";
    if (!plugin.isEmpty() && config.hasPath(dirPath))
      return "directory " + new File(config.getString(dirPath)).getAbsolutePath() + " (plugin " + plugin + ", persistence id "
          + persistenceId().id() + ")";
    return "(plugin " + plugin + ", persistence id " + persistenceId().id() + ")";
  }

  // ---- commands ----------------------------------------------------------------------------

  private Effect<RaftEvent, DurableState> onPropose(Proposal p) {
    int notDurable = pending.size() + inWrite;
    if (node.isLeader() && notDurable >= settings.maxPendingProposals()) {
      p.answer(new ProposeResult.Busy(notDurable));
      return Effect().none();
    }
    ProposeResult result = node.propose(p.command());
    if (result instanceof ProposeResult.Accepted a) pending.add(new Pending(a.index(), a.term(), p::answer));
    else p.answer(result);
    return afterInput();
  }

  private Effect<RaftEvent, DurableState> onChangeMembership(ChangeMembership c) {
    ProposeResult result = node.proposeMembership(c.changes());
    if (result instanceof ProposeResult.Accepted a) pending.add(new Pending(a.index(), a.term(), c.replyTo()::tell));
    else c.replyTo().tell(result);
    return afterInput();
  }

  private Effect<RaftEvent, DurableState> onTransferLeadership(TransferLeadership t) {
    t.replyTo().tell(node.transferLeadership(t.target()));
    return afterInput();
  }

  private Effect<RaftEvent, DurableState> onReadIndex(ReadIndex r) {
    if (r.lease() && !cfg.readLease().enabled()) {
      r.replyTo().tell(new ReadIndexReply.LeaseNotConfigured());
      return Effect().none();
    }
    long id = ++nextReadId;
    reads.put(id, r.replyTo());
    if (r.lease()) node.leaseRead(id); // served from the leader's lease (RaftConfig.ReadLease)
    else node.readIndex(id);
    return afterInput();
  }

  /** Answers the reads the core released or gave up on in this Ready. */
  private void answerReads(Ready rd) {
    for (ReadState rs : rd.readStates()) {
      ActorRef<ReadIndexReply> to = reads.remove(rs.id());
      if (to != null) to.tell(new ReadIndexReply.Confirmed(rs.index()));
    }
    for (long id : rd.droppedReads()) {
      ActorRef<ReadIndexReply> to = reads.remove(id);
      if (to != null) to.tell(new ReadIndexReply.NotLeader(node.leader()));
    }
  }

  private Effect<RaftEvent, DurableState> onGetMembership(GetMembership g) {
    RaftStatus s = node.status();
    g.replyTo().tell(new MembershipStatus(self, s.role(), s.term(), s.leader(), node.membership(), node.membershipIndex(),
        s.commitIndex(), s.lastIndex()));
    return Effect().none();
  }

  private Effect<RaftEvent, DurableState> onDeliver(Deliver d) {
    if (d.message() instanceof InstallSnapshot s) {
      // A whole snapshot (a transport that does not stream): its data is the image, never a
      // reference, whatever it looks like. The core sees it only once it is in a file here.
      Optional<InstallSnapshot> inFile = toFile(s);
      if (inFile.isEmpty()) return Effect().none();
      node.step(inFile.get());
    } else {
      node.step(d.message());
    }
    return afterInput();
  }

  private Optional<InstallSnapshot> toFile(InstallSnapshot s) {
    try {
      Bytes image = s.snapshot().data();
      SnapshotFile f = snapshotFiles.write(s.snapshot().meta().index(), out -> image.newInputStream().transferTo(out));
      return Optional.of(new InstallSnapshot(s.term(), s.from(), s.to(), new Snapshot(s.snapshot().meta(), f.toHandle())));
    } catch (IOException e) {
      log.error(node.term(), "{} cannot write the snapshot from {} to {}: {}", self, s.from(), snapshotFiles,
          e.toString());
      return Optional.empty();
    }
  }

  /** What the service is told of a durable snapshot: its image opened now (a newer snapshot may delete the file). */
  private Applied.SnapshotInstalled installed(Snapshot s) {
    try {
      return new Applied.SnapshotInstalled(s.meta(), snapshotFiles.open(s.data()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the image of the durable " + s.meta().describe(), e);
    }
  }

  /** A chunk goes to the receiver (the core gets the whole snapshot once it is complete); an ack to the sender. */
  private Effect<RaftEvent, DurableState> onSnapshotStream(DeliverSnapshotStream d) {
    if (d.part() instanceof SnapshotStream.Ack a) {
      snapshotSender.onAck(a);
      return Effect().none();
    }
    snapshotReceiver.onChunk((SnapshotStream.Chunk) d.part()).ifPresent(node::step);
    return afterInput();
  }

  private Effect<RaftEvent, DurableState> onTick() {
    node.tick();
    snapshotReceiver.tick();
    if (node.isLeader()) snapshotSender.tick();
    else snapshotSender.clear();
    rearmStaleFlush();
    return afterInput();
  }

  /**
   * The gate keeps the stash from overflowing, so our Flush should always arrive; should one still
   * be lost, a few ticks later this sends another instead of leaving the peer waiting for it.
   */
  private void rearmStaleFlush() {
    if (!flushScheduled) return;
    if (++ticksWaitingForFlush < STALE_FLUSH_TICKS) return;
    // Usually not lost but behind ticks stashed during a slow write; a second Flush costs nothing.
    log.debug(node.term(), "{} handled {} ticks since it sent itself a Flush that has not arrived; sending another",
        self, ticksWaitingForFlush);
    ticksWaitingForFlush = 0;
    context.getSelf().tell(Flush.INSTANCE);
  }

  private Effect<RaftEvent, DurableState> onGetStatus(GetStatus g) {
    g.replyTo().tell(node.status());
    return Effect().none();
  }

  private Effect<RaftEvent, DurableState> onTakeSnapshot(DurableState state, TakeSnapshot t) {
    long snapIndex = state.snapshotMeta().index();
    long applied = node.status().appliedIndex();
    if (t.index() <= snapIndex || t.index() > applied || t.index() > state.lastIndex()) {
      log.info(node.term(), "{} ignored snapshot at {} [snapshot index {}, applied {}, last durable index {}]", self,
          t.index(), snapIndex, applied, state.lastIndex());
      discard(t);
      return Effect().none();
    }
    SnapshotMeta meta = new SnapshotMeta(t.index(), state.term(t.index()), state.membershipAt(t.index()));
    Optional<SnapshotFile> file = snapshotFileOf(t);
    if (file.isEmpty()) return Effect().none();
    log.info(node.term(), "{} saving {} ({}), compacting the log [first index {}]", self, meta, file.get(),
        state.firstIndex());
    // The file is durable already; the event records only its reference.
    return Effect().persist(new RaftEvent.SnapshotSaved(meta, file.get().toHandle()))
        .thenRun(after -> snapshotFiles.deleteOlderThan(file.get()));
  }

  /** The service's file (checked), or its image written to a file now; empty (logged) if neither can be had. */
  private Optional<SnapshotFile> snapshotFileOf(TakeSnapshot t) {
    Optional<SnapshotFile> ref = SnapshotFile.fromHandle(t.data());
    if (ref.isPresent()) {
      if (ref.get().index() == t.index() && snapshotFiles.holds(ref.get())) return ref;
      log.warn(node.term(), "{} ignored snapshot at {}: its file {} is not in {} (or is of another index)", self,
          t.index(), ref.get(), snapshotFiles.dir());
      return Optional.empty();
    }
    try {
      return Optional.of(snapshotFiles.write(t.index(), out -> t.data().newInputStream().transferTo(out)));
    } catch (IOException e) {
      log.error(node.term(), "{} cannot write its snapshot at {} to {}: {}", self, t.index(), snapshotFiles,
          e.toString());
      return Optional.empty();
    }
  }

  /** A snapshot the peer will not save: its file (if the service wrote one) is of no use. */
  private void discard(TakeSnapshot t) {
    SnapshotFile.fromHandle(t.data()).ifPresent(snapshotFiles::delete);
  }

  /** After the core took an input: make sure a Flush is on its way if there is work. */
  private Effect<RaftEvent, DurableState> afterInput() {
    reportRoleChange();
    scheduleFlushIfReady();
    adjustTicking();
    return Effect().none();
  }

  private Effect<RaftEvent, DurableState> onPeerUnreachable(PeerUnreachable u) {
    log.info(node.term(), "{} told that {} is unreachable{}", self, u.peer(), node.isQuiesced() ? " (quiesced: waking)" : "");
    if (u.peer().equals(watchedLeader)) watchedLeader = null; // Terminated: that watch is over
    node.peerUnreachable(u.peer());
    return afterInput();
  }

  /**
   * Quiescence: the tick timer stops while the core is quiesced and nothing here needs ticks (no
   * Flush on its way, no proposal or read waiting), and starts again at the first input that wakes
   * it. A 1,000-group node then handles no timer messages at all for its idle groups. A quiesced
   * follower watches its leader's actor meanwhile, so the leader's death wakes it.
   */
  private void adjustTicking() {
    boolean quiet = node.isQuiesced() && !flushScheduled && pending.isEmpty() && inWrite == 0 && reads.isEmpty();
    if (quiet && ticking) {
      timers.cancel(Tick.INSTANCE);
      ticking = false;
      log.debug(node.term(), "{} quiesced: tick timer stopped", self);
    } else if (!quiet && !ticking) {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Tick.INSTANCE, settings.tickInterval());
      ticking = true;
      log.debug(node.term(), "{} awake: tick timer started", self);
    }
    Optional<PeerId> leader = quiet && !node.isLeader() ? node.leader() : Optional.empty();
    if (watchedLeader != null && !leader.equals(Optional.of(watchedLeader))) {
      transport.actorOf(watchedLeader).ifPresent(ref -> context.unwatch(ref));
      watchedLeader = null;
    }
    if (leader.isPresent() && watchedLeader == null) {
      Optional<ActorRef<Command>> ref = transport.actorOf(leader.get());
      if (ref.isPresent()) {
        context.watchWith(ref.get(), new PeerUnreachable(leader.get()));
        watchedLeader = leader.get();
        log.debug(node.term(), "{} watches its leader's actor {} while quiesced", self, ref.get());
      }
    }
  }

  /** Tells the service when role, term or leader changed (only inputs change them), in order with Applied. */
  private void reportRoleChange() {
    RaftStatus s = node.status();
    Applied.RoleChanged now = new Applied.RoleChanged(s.term(), s.role(), s.leader());
    if (now.equals(reportedRole)) return;
    reportedRole = now;
    applier.tell(now);
  }

  private void scheduleFlushIfReady() {
    if (!flushScheduled && node.hasReady()) {
      flushScheduled = true;
      ticksWaitingForFlush = 0;
      context.getSelf().tell(Flush.INSTANCE);
    }
  }

  /** One turn of the Ready loop: one write for everything the core accumulated since the last. */
  private Effect<RaftEvent, DurableState> onFlush(DurableState state) {
    flushScheduled = false;
    ticksWaitingForFlush = 0;
    if (!node.hasReady()) {
      adjustTicking();
      return Effect().none();
    }
    Ready rd = node.ready();
    List<Pending> batch = takeProposalsIn(rd);
    // Committed entries that were already durable before this write may go to the service now
    // (committed entries are never overwritten); the rest, and any snapshot, wait for the write.
    List<LogEntry> early = durablePrefix(rd, state.lastIndex());
    if (!early.isEmpty()) applier.tell(new Applied.Committed(early));
    // A leader's appends go out now, so followers write while we do.
    if (rd.sendBeforePersist()) sendAll(rd);
    List<RaftEvent> events = RaftEvent.from(rd);
    if (events.isEmpty()) {
      afterWrite(rd, early.size(), batch);
      return Effect().none();
    }
    inWrite = batch.size();
    if (log.isDebugEnabled()) { // once per write: not even the boxing when off
      log.debug(node.term(), "write: {} events, {} entries, {} proposals, {} messages after it, {} committed ({} before it)",
          events.size(), rd.entries().size(), batch.size(), rd.messages().size(), rd.committed().size(), early.size());
    }
    int entries = rd.entries().size();
    long bytes = 0;
    for (LogEntry e : rd.entries()) bytes += e.command().size();
    long writeBytes = bytes;
    long started = System.nanoTime();
    return Effect().persist(events).thenRun(() -> {
      metrics.journalWritten(entries, writeBytes, System.nanoTime() - started);
      afterWrite(rd, early.size(), batch);
    });
  }

  private static List<LogEntry> durablePrefix(Ready rd, long durableLastIndex) {
    if (rd.snapshot().isPresent() || rd.committed().isEmpty()) return List.of();
    long limit = durableLastIndex;
    if (!rd.entries().isEmpty()) limit = Math.min(limit, rd.entries().get(0).index() - 1);
    int n = 0;
    while (n < rd.committed().size() && rd.committed().get(n).index() <= limit) n++;
    return rd.committed().subList(0, n);
  }

  /** The pending proposals whose entries this Ready writes; answers NotLeader for any that were lost. */
  private List<Pending> takeProposalsIn(Ready rd) {
    if (pending.isEmpty()) return List.of();
    List<Pending> batch = new ArrayList<>(pending.size());
    long first = rd.entries().isEmpty() ? Long.MAX_VALUE : rd.entries().get(0).index();
    while (!pending.isEmpty()) {
      Pending p = pending.poll();
      long offset = p.index() - first;
      if (offset >= 0 && offset < rd.entries().size() && rd.entries().get((int) offset).term() == p.term()) batch.add(p);
      else p.answer().accept(new ProposeResult.NotLeader(node.leader())); // overwritten before it reached disk
    }
    return batch;
  }

  private void sendAll(Ready rd) {
    for (RaftMessage m : rd.messages()) {
      if (m instanceof InstallSnapshot s && transport.streamsSnapshots()) snapshotSender.send(s);
      else if (m instanceof InstallSnapshot s) sendWhole(s);
      else transport.send(m);
    }
  }

  /** A transport that does not stream (test doubles) carries the image itself, read from its file. */
  private void sendWhole(InstallSnapshot s) {
    try (SnapshotImage image = snapshotFiles.open(s.snapshot().data())) {
      transport.send(new InstallSnapshot(s.term(), s.from(), s.to(), new Snapshot(s.snapshot().meta(), image.readAll())));
      metrics.snapshotSent(image.size());
    } catch (IOException | UncheckedIOException e) {
      log.error(node.term(), "{} cannot read {} to send it to {}: {}", self, s.snapshot().meta(), s.to(), e.toString());
    }
  }

  private void afterWrite(Ready rd, int appliedEarly, List<Pending> batch) {
    inWrite = 0;
    if (!rd.sendBeforePersist()) sendAll(rd);
    rd.snapshot().ifPresent(s -> {
      Applied.SnapshotInstalled installed = installed(s);
      metrics.snapshotInstalled(installed.image().size());
      applier.tell(installed);
      SnapshotFile.fromHandle(s.data()).ifPresent(snapshotFiles::deleteOlderThan);
    });
    if (appliedEarly < rd.committed().size())
      applier.tell(new Applied.Committed(rd.committed().subList(appliedEarly, rd.committed().size())));
    node.advance(rd);
    answerReads(rd);
    for (Pending p : batch) p.answer().accept(new ProposeResult.Accepted(p.index(), p.term()));
    scheduleFlushIfReady();
    adjustTicking();
  }
}
