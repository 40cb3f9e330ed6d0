package hosting;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.logging.ReplicaMdc;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import raft.transport.PeerTransport;
import wire.CborSerializable;

/**
 * The Cluster Sharding entity of one replica: the guard that decides whether the replica may run on
 * this node, and the host of the replica (its only child) when it may.
 *
 * <p>The never-empty rule (design "dangers", D1): Sharding may start this entity on any node it
 * chooses (a crash, a rebalance, a wrong placement), but a Raft replica must never start with an empty
 * log under an identity that already voted. So the entity first replays its {@link BirthCertificate}
 * from the replica's own journal. It runs the replica only if the certificate exists, names this node
 * and is not retired. Without a certificate it runs the replica only on an explicit {@link Create}
 * naming this node, sent by the one-time bootstrap of a group or after a committed membership change;
 * the certificate is written before the replica starts. In every other case it stays up, refuses,
 * drops the Raft traffic addressed to the replica, and says why (an ERROR naming group, replica and
 * node, and {@link HostStatus.Refused} to {@link GetHostStatus}). It stays up rather than stopping
 * because a stopped entity would be started again by the next message, in a loop.
 */
public final class ReplicaEntity
    extends EventSourcedBehavior<ReplicaEntity.Command, BirthCertificate.Event, BirthCertificate> {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaEntity.class);
  /** While refusing, a reminder every this many dropped messages. */
  private static final int REMIND_EVERY = 1_000;

  public sealed interface Command extends CborSerializable {}

  /** Starts the entity (and the replica, if it may run); sent by {@link ReplicaWaker}. */
  public enum Wake implements Command { INSTANCE }

  /**
   * Creates the replica on {@code node} with {@code voters} as its first configuration, if it was
   * never created: only the bootstrap of a new group (voters include the replica) or a committed
   * membership change (the group's voters, without the replica being added) may send it.
   * Answered {@link HostStatus.Running} (also when it already runs there: a retry is harmless) or
   * {@link HostStatus.Refused} (another node, retired, failed).
   */
  public record Create(String node, List<PeerId> voters, BirthCertificate.Cause cause, ActorRef<HostStatus> replyTo)
      implements Command {
    public Create {
      voters = List.copyOf(voters);
    }
  }

  /** A Raft message for this replica's peer (from {@link ShardedPeerTransport}); dropped while refusing. */
  public record Deliver(RaftMessage message) implements Command {}

  public record GetHostStatus(ActorRef<HostStatus> replyTo) implements Command {}

  /**
   * A request for the replica's service (a client's operation, another group's pull), from {@link
   * ServiceRefs}: handed to the service actor the replica registered ({@link
   * HostedReplica#serviceStarted}); dropped while refusing or before the service is up, so the
   * caller's timeout sends it to another replica.
   */
  public record Serve(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class") CborSerializable request)
      implements Command {}

  /**
   * The replica was removed from its group by a committed membership change: stop it, keep its id
   * retired forever on this node (the journal itself is left for the operator to delete).
   */
  public record Retire(ActorRef<HostStatus> replyTo) implements Command {}

  /** From the hosted replica: its Raft peer is up. */
  private record PeerStarted(ActorRef<RaftPeer.Command> peer) implements Command {}

  /** From the hosted replica: the actor that serves its clients is up. */
  private record ServiceStarted(ActorRef<Object> service) implements Command {}

  /** The hosted replica stopped. */
  private enum ReplicaStopped implements Command { INSTANCE }

  public static Behavior<Command> create(ReplicaKey key, ReplicaFactory factory, PeerTransport transport) {
    return ReplicaMdc.wrap(key.group(), key.replica(),
        Behaviors.setup(ctx -> new ReplicaEntity(ctx, key, factory, transport)));
  }

  /** The certificate's persistence id, {@code birth-<group>|<replica>}, beside the peer's {@code raft-<group>|<replica>}. */
  public static PersistenceId persistenceId(ReplicaKey key) {
    return PersistenceId.of("birth-" + key.group().id(), key.replica().id());
  }

  // ---- runtime state (owned by this actor) ------------------------------------------------

  private final ActorContext<Command> context;
  private final ReplicaKey key;
  private final ReplicaFactory factory;
  private final PeerTransport transport;
  private final String node;
  private ActorRef<Void> child;
  private ActorRef<RaftPeer.Command> peer;
  private ActorRef<Object> service;
  private HostStatus status;
  private long dropped;

  private ReplicaEntity(ActorContext<Command> context, ReplicaKey key, ReplicaFactory factory, PeerTransport transport) {
    super(persistenceId(key));
    this.context = context;
    this.key = key;
    this.factory = factory;
    this.transport = transport;
    this.node = Cluster.get(context.getSystem()).selfMember().address().toString();
  }

  @Override
  public BirthCertificate emptyState() {
    return BirthCertificate.NONE;
  }

  @Override
  public EventHandler<BirthCertificate, BirthCertificate.Event> eventHandler() {
    return (state, event) -> state.updated(event);
  }

  @Override
  public String journalPluginId() {
    return factory.journalPluginId(key);
  }

  @Override
  public SignalHandler<BirthCertificate> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::decide).build();
  }

  @Override
  public CommandHandler<Command, BirthCertificate.Event, BirthCertificate> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Wake.class, w -> Effect().none())
        .onCommand(Create.class, this::onCreate)
        .onCommand(Deliver.class, this::onDeliver)
        .onCommand(GetHostStatus.class, g -> Effect().reply(g.replyTo(), status))
        .onCommand(Retire.class, this::onRetire)
        .onCommand(PeerStarted.class, this::onPeerStarted)
        .onCommand(ServiceStarted.class, this::onServiceStarted)
        .onCommand(Serve.class, this::onServe)
        .onCommand(ReplicaStopped.class, s -> onReplicaStopped())
        .build();
  }

  // ---- the guard ---------------------------------------------------------------------------

  /** After replay: run the replica if its certificate says it lives here, else refuse. */
  private void decide(BirthCertificate cert) {
    if (cert.retired()) {
      refuse(HostStatus.Reason.RETIRED, "it was removed from its group; its id is never used again");
    } else if (cert.created().isEmpty()) {
      refuse(HostStatus.Reason.NOT_CREATED_HERE, "its journal (plugin '" + pluginName() + "') holds no birth "
          + "certificate: it was never created on this node, or its journal is gone. Starting it empty could vote "
          + "twice in a term or forget acknowledged entries. It waits for a Create from a bootstrap or a committed "
          + "membership change (a lost replica is replaced by one with a new id)");
    } else if (!cert.created().get().node().equals(node)) {
      refuse(HostStatus.Reason.CREATED_ON_ANOTHER_NODE, "its journal's birth certificate names node "
          + cert.created().get().node() + " (a data directory copied or moved?)");
    } else {
      start(cert.created().get());
    }
  }

  private void refuse(HostStatus.Reason reason, String why) {
    String line = "replica " + key.replica() + " of group " + key.group() + " refuses to start on node " + node + ": "
        + why;
    status = new HostStatus.Refused(key, node, reason, line);
    LOG.error(line);
  }

  private void start(BirthCertificate.Created created) {
    ActorRef<Command> self = context.getSelf();
    HostedReplica replica = new HostedReplica(key, created.voters(), node, transport,
        ref -> self.tell(new PeerStarted(ref)), ref -> self.tell(new ServiceStarted(ref.unsafeUpcast())));
    try {
      child = spawn(factory.create(replica));
    } catch (RuntimeException e) {
      refuse(HostStatus.Reason.REPLICA_FAILED, "its replica could not be built: " + e);
      return;
    }
    context.watchWith(child, ReplicaStopped.INSTANCE);
    status = new HostStatus.Running(key, node, created.cause());
    LOG.info("replica {} of group {} runs on node {} (created by {}, voters {})", key.replica(), key.group(), node,
        created.cause(), created.voters());
  }

  @SuppressWarnings("unchecked")
  private ActorRef<Void> spawn(Behavior<?> behavior) {
    return (ActorRef<Void>) (ActorRef<?>) context.spawn(behavior, factory.childName(key));
  }

  private String pluginName() {
    String id = factory.journalPluginId(key);
    return id.isEmpty() ? context.getSystem().settings().config().getString("akka.persistence.journal.plugin") : id;
  }

  // ---- commands ----------------------------------------------------------------------------

  private Effect<BirthCertificate.Event, BirthCertificate> onCreate(BirthCertificate cert, Create c) {
    if (cert.created().isPresent() || cert.retired()) return Effect().reply(c.replyTo(), status);
    if (!c.node().equals(node)) {
      String line = "replica " + key.replica() + " of group " + key.group() + " refuses a Create for node " + c.node()
          + " on node " + node + ": it is created only where it was placed";
      LOG.error(line);
      return Effect().reply(c.replyTo(), new HostStatus.Refused(key, node, HostStatus.Reason.CREATE_FOR_ANOTHER_NODE, line));
    }
    // A bootstrap makes it one of the first voters; a membership change adds it to a group whose
    // voters it is not among (it waits, as a learner, for the leader).
    boolean self = c.voters().contains(key.replica());
    boolean bootstrap = c.cause() == BirthCertificate.Cause.BOOTSTRAP;
    if (c.voters().isEmpty() || self != bootstrap || new java.util.HashSet<>(c.voters()).size() != c.voters().size()) {
      String line = "replica " + key.replica() + " of group " + key.group() + " refuses a Create on node " + node
          + ": its voters " + c.voters() + " must " + (bootstrap ? "include" : "not include")
          + " it (cause " + c.cause() + ") and name each replica once";
      LOG.error(line);
      return Effect().reply(c.replyTo(), new HostStatus.Refused(key, node, HostStatus.Reason.INVALID_CREATE, line));
    }
    BirthCertificate.Created created = new BirthCertificate.Created(key, node, c.voters(), c.cause());
    return Effect().persist(created).thenRun(s -> start(created)).thenReply(c.replyTo(), s -> status);
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onDeliver(Deliver d) {
    if (peer != null) {
      peer.tell(new RaftPeer.Deliver(d.message()));
    } else if (status instanceof HostStatus.Refused r && ++dropped % REMIND_EVERY == 0) {
      LOG.warn("still refusing ({} Raft messages dropped): {}", dropped, r.explanation());
    }
    return Effect().none();
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onServe(Serve s) {
    if (service != null) {
      service.tell(s.request());
    } else if (status instanceof HostStatus.Refused r && ++dropped % REMIND_EVERY == 0) {
      LOG.warn("still refusing ({} messages dropped): {}", dropped, r.explanation());
    }
    return Effect().none();
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onServiceStarted(ServiceStarted s) {
    if (child != null) service = s.service();
    return Effect().none();
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onRetire(BirthCertificate cert, Retire r) {
    if (cert.retired()) return Effect().reply(r.replyTo(), status);
    return Effect().persist(new BirthCertificate.Retired(key)).thenRun(s -> {
      if (child != null) context.stop(child);
      child = null;
      peer = null;
      service = null;
      status = new HostStatus.Refused(key, node, HostStatus.Reason.RETIRED, "replica " + key.replica() + " of group "
          + key.group() + " was retired on node " + node + "; its id is never used again");
      LOG.info(((HostStatus.Refused) status).explanation());
    }).thenReply(r.replyTo(), s -> status);
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onPeerStarted(PeerStarted p) {
    if (child != null) peer = p.peer();
    return Effect().none();
  }

  private Effect<BirthCertificate.Event, BirthCertificate> onReplicaStopped() {
    if (child == null) return Effect().none(); // stopped by Retire
    child = null;
    peer = null;
    service = null;
    refuse(HostStatus.Reason.REPLICA_FAILED, "its replica stopped (see the error before this line); not restarting it");
    return Effect().none();
  }
}
