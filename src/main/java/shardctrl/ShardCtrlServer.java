package shardctrl;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;
import raft.rsm.ReplicatedStateMachine;
import raft.rsm.StateMachine;
import raft.logging.ReplicaMdc;
import wire.CborSerializable;

/**
 * One replica of the shard controller (the lab's ShardCtrler server): a {@link
 * ReplicatedStateMachine} over a {@link CtrlStateMachine}, like {@code kvraft.KvServer}. Join,
 * Leave, Move and Query go through the log (Query too, so it is linearizable); malformed commands
 * are refused before they reach it. {@link Watch} parks at the leader until a newer configuration
 * is applied or its timeout passes ({@link ConfigWatchers}, a child actor). The admin requests of
 * the group itself (members, membership change, leadership transfer) go to the replica as a shard
 * group server's do, so a stopping node hands the controller's leadership over and a controller
 * replica can move. Registers with the
 * receptionist under {@link #serviceKey(GroupId)}.
 */
public final class ShardCtrlServer {
  private ShardCtrlServer() {}

  public sealed interface Command extends CborSerializable {}

  /** Run {@code command} as write {@code seq} of client {@code clientId} ({@code seq} 0 for a Query). */
  public record Execute(long clientId, long seq, CtrlCommand command, ActorRef<CtrlReply> replyTo) implements Command {}

  /**
   * Answer with the first configuration numbered above {@code afterNum} ({@link CtrlReply.Config}):
   * at once if there is one, else as soon as one is applied; {@link CtrlReply.Unchanged} if none is
   * within {@code timeoutMillis} (capped by {@link ShardCtrlSettings#maxWatch()}; counted once the
   * latest configuration has been read through the log; 0: only read). Sent to a follower it
   * answers {@link CtrlReply.WrongLeader}; a negative timeout is {@link CtrlReply.Rejected}.
   */
  public record Watch(long afterNum, long timeoutMillis, ActorRef<CtrlReply> replyTo) implements Command {}

  /** This replica's Raft status. */
  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  /** The controller group's membership as this replica sees it: {@link AdminReply.Members}. */
  public record GetMembers(ActorRef<AdminReply> replyTo) implements Command {}

  /** A membership change, on the leader (a controller replica move's steps): answered like {@code kvraft.KvServer.ChangeMembership}. */
  public record ChangeMembership(List<MembershipChange> changes, ActorRef<AdminReply> replyTo) implements Command {
    public ChangeMembership {
      changes = List.copyOf(changes);
    }
  }

  /** Hands leadership to {@code target} (empty: the most up-to-date voter), on the leader; a stopping node's handover. */
  public record TransferLeadership(Optional<PeerId> target, ActorRef<AdminReply> replyTo) implements Command {}

  /** The receptionist key of the controller servers of {@code group}. */
  public static ServiceKey<Command> serviceKey(GroupId group) {
    return ServiceKey.create(Command.class, "shardctrl-" + group.id());
  }

  /** The name a server is spawned under, so that remote clients and peers can address it. */
  public static String actorName(GroupId group, PeerId peer) {
    return "shardctrl-" + Objects.requireNonNull(group) + "-" + Objects.requireNonNull(peer);
  }

  /** Path of the server's Raft peer below the user guardian (for {@code RemotePeerTransport}). */
  public static String peerPath(GroupId group, PeerId peer) {
    return actorName(group, peer) + "/" + ReplicatedStateMachine.PEER_NAME;
  }

  private static final ReplicatedStateMachine.Replies<CtrlReply> REPLIES = new ReplicatedStateMachine.Replies<>() {
    @Override
    public CtrlReply wrongLeader(Optional<PeerId> hint) {
      return new CtrlReply.WrongLeader(hint);
    }

    @Override
    public CtrlReply busy() {
      return CtrlReply.BUSY;
    }

    @Override
    public CtrlReply rejected(String reason) {
      return new CtrlReply.Rejected(reason);
    }

    @Override
    public CtrlReply sessionExpired() {
      return CtrlReply.SESSION_EXPIRED;
    }
  };

  public static Behavior<Command> create(ReplicatedStateMachine.PeerSpec peer, ShardCtrlSettings settings) {
    ShardCtrlSettings s = settings.validate();
    return ReplicaMdc.wrap(peer.group(), peer.self(), Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(serviceKey(peer.group()), ctx.getSelf()));
      ActorRef<ConfigWatchers.Command> watchers =
          ctx.spawn(ConfigWatchers.create(ctx.getSelf(), s.maxWatch()), "watchers");
      StateMachine<CtrlCommand, CtrlReply> machine = new Announcing(new CtrlStateMachine(s.nShards()),
          c -> watchers.tell(new ConfigWatchers.Applied(c)));
      ReplicatedStateMachine.Service<CtrlCommand, CtrlReply> service = new ReplicatedStateMachine.Service<>(
          machine, CtrlCodec.COMMANDS, CtrlCodec.RESULTS, REPLIES, c -> c.malformed(s.nShards()),
          s.maxRaftStateBytes());
      return Behaviors.intercept(() -> new Routing(watchers), ReplicatedStateMachine.create(peer, service));
    }));
  }

  /**
   * Our serializable protocol onto the replica's in-actor protocol; Watch goes to the watchers.
   * The replica's own messages (applied entries, proposal answers) are not Commands and pass
   * straight through.
   */
  private static final class Routing extends BehaviorInterceptor<Command, ReplicatedStateMachine.Command> {
    private final ActorRef<ConfigWatchers.Command> watchers;

    Routing(ActorRef<ConfigWatchers.Command> watchers) {
      super(Command.class);
      this.watchers = watchers;
    }

    @Override
    public Behavior<ReplicatedStateMachine.Command> aroundReceive(TypedActorContext<Command> ctx, Command msg,
        ReceiveTarget<ReplicatedStateMachine.Command> target) {
      if (msg instanceof Execute e) {
        return target.apply(ctx, new ReplicatedStateMachine.Submit<>(e.clientId(), e.seq(), e.command(), e.replyTo()));
      }
      if (msg instanceof GetStatus g) return target.apply(ctx, new ReplicatedStateMachine.GetStatus(g.replyTo()));
      if (msg instanceof GetMembers g) return target.apply(ctx, new ReplicatedStateMachine.GetMembers(g.replyTo()));
      if (msg instanceof ChangeMembership c) {
        return target.apply(ctx, new ReplicatedStateMachine.ChangeMembership(c.changes(), c.replyTo()));
      }
      if (msg instanceof TransferLeadership t) {
        return target.apply(ctx, new ReplicatedStateMachine.TransferLeadership(t.target(), t.replyTo()));
      }
      if (msg instanceof Watch w) watchers.tell(new ConfigWatchers.Park(w));
      return Behaviors.same();
    }
  }

  /**
   * The controller's state machine, telling the watchers each configuration it applies or
   * restores. The telling does not touch the replicated state, so replicas stay deterministic.
   */
  private static final class Announcing implements StateMachine<CtrlCommand, CtrlReply> {
    private final CtrlStateMachine machine;
    private final Consumer<ShardConfig> applied;

    Announcing(CtrlStateMachine machine, Consumer<ShardConfig> applied) {
      this.machine = machine;
      this.applied = applied;
    }

    @Override
    public CtrlReply apply(CtrlCommand command) {
      ShardConfig before = machine.latest();
      CtrlReply r = machine.apply(command);
      // Also a change of the controller's own servers, which appends a configuration answered otherwise.
      if (machine.latest() != before) applied.accept(machine.latest());
      return r;
    }

    @Override
    public boolean isReadOnly(CtrlCommand command) {
      return machine.isReadOnly(command);
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
      machine.writeSnapshot(out);
    }

    @Override
    public void restore(InputStream in) {
      machine.restore(in);
      applied.accept(machine.latest());
    }
  }
}
