package kvraft;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.logging.ReplicaMdc;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;
import raft.rsm.ReadConsistency;
import raft.rsm.ReplicatedStateMachine;
import raft.rsm.StateMachine;
import wire.CborSerializable;

/**
 * One replica of the replicated KV store (the lab's KVServer): a {@link ReplicatedStateMachine}
 * over a {@link KvStore}, configured with the KV codec, limits and typed replies. Writes go through
 * the log; reads (get, scan) do not: a linearizable read (the default) is served by any replica
 * once the leader confirmed a read index (ReadIndex), a serializable one from the replica's local
 * state as it is (possibly stale). The server registers with the receptionist
 * under {@link #serviceKey(GroupId)} so clients in the cluster can find it.
 */
public final class KvServer {
  private KvServer() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Run {@code command} as write {@code seq} of client {@code clientId} ({@code seq} 0 for reads).
   * A retry must carry the same {@code (clientId, seq)}: the write is then applied once.
   * {@code consistency} applies to reads ({@link ReadConsistency#LINEARIZABLE} if absent, as from an older client).
   */
  public record Execute(long clientId, long seq, KvCommand command, ReadConsistency consistency,
      ActorRef<KvReply> replyTo) implements Command {
    @JsonCreator
    public Execute {
      if (consistency == null) consistency = ReadConsistency.LINEARIZABLE;
    }

    /** A linearizable call. */
    public Execute(long clientId, long seq, KvCommand command, ActorRef<KvReply> replyTo) {
      this(clientId, seq, command, ReadConsistency.LINEARIZABLE, replyTo);
    }
  }

  /** This replica's Raft status. */
  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  /** Who belongs to the group, as this replica sees it ({@link AdminReply.Members}). */
  public record GetMembers(ActorRef<AdminReply> replyTo) implements Command {}

  /**
   * An operator's membership change (one, or several at once through joint consensus), answered
   * {@link AdminReply.Changed} once applied on this leader, else with the typed reason.
   */
  public record ChangeMembership(List<MembershipChange> changes, ActorRef<AdminReply> replyTo) implements Command {}

  /** Hands leadership to {@code target}, or to the most up-to-date voter if empty. */
  public record TransferLeadership(Optional<PeerId> target, ActorRef<AdminReply> replyTo) implements Command {}

  /** The receptionist key of the servers of {@code group}. */
  public static ServiceKey<Command> serviceKey(GroupId group) {
    return ServiceKey.create(Command.class, "kv-" + group.id());
  }

  /** The name a server is spawned under, so that remote clients and peers can address it. */
  public static String actorName(GroupId group, PeerId peer) {
    return "kv-" + Objects.requireNonNull(group) + "-" + Objects.requireNonNull(peer);
  }

  /** Path of the server's Raft peer below the user guardian (for {@code RemotePeerTransport}). */
  public static String peerPath(GroupId group, PeerId peer) {
    return actorName(group, peer) + "/" + ReplicatedStateMachine.PEER_NAME;
  }

  /** The KV replies the replica gives when it did not apply a command. */
  public static final ReplicatedStateMachine.Replies<KvReply> REPLIES = new ReplicatedStateMachine.Replies<>() {
    @Override
    public KvReply wrongLeader(Optional<PeerId> hint) {
      return new KvReply.WrongLeader(hint);
    }

    @Override
    public KvReply busy() {
      return KvReply.BUSY;
    }

    @Override
    public KvReply rejected(String reason) {
      return new KvReply.Rejected(reason);
    }

    @Override
    public KvReply sessionExpired() {
      return KvReply.SESSION_EXPIRED;
    }
  };

  public static Behavior<Command> create(ReplicatedStateMachine.PeerSpec peer, KvSettings settings) {
    return create(peer, settings, new KvStore());
  }

  /** Over another state machine: tests that need a KV store with a different snapshot. */
  static Behavior<Command> create(ReplicatedStateMachine.PeerSpec peer, KvSettings settings,
      StateMachine<KvCommand, KvReply> machine) {
    KvLimits limits = settings.validate().limits();
    ReplicatedStateMachine.Service<KvCommand, KvReply> service = new ReplicatedStateMachine.Service<>(
        machine, KvCodec.COMMANDS, KvCodec.RESULTS, REPLIES, c -> limits.check(c).map(r -> r),
        settings.maxRaftStateBytes(), settings.maxSessions(), settings.maxWaitingCalls());
    return ReplicaMdc.wrap(peer.group(), peer.self(), Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(serviceKey(peer.group()), ctx.getSelf()));
      // Our serializable protocol becomes the replica's in-actor protocol; the replica's own
      // messages (applied entries, proposal answers) are not Commands and pass straight through.
      return Behaviors.transformMessages(Command.class, ReplicatedStateMachine.create(peer, service), pf -> pf
          .match(Execute.class, e -> new ReplicatedStateMachine.Submit<>(e.clientId(), e.seq(), e.command(),
              e.consistency(), e.replyTo()))
          .match(GetStatus.class, g -> new ReplicatedStateMachine.GetStatus(g.replyTo()))
          .match(GetMembers.class, g -> new ReplicatedStateMachine.GetMembers(g.replyTo()))
          .match(ChangeMembership.class, c -> new ReplicatedStateMachine.ChangeMembership(c.changes(), c.replyTo()))
          .match(TransferLeadership.class, t -> new ReplicatedStateMachine.TransferLeadership(t.target(), t.replyTo())));
    }));
  }
}
