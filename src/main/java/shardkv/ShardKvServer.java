package shardkv;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import kvraft.KvLimits;
import kvraft.KvReply;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;
import raft.rsm.ReplicatedStateMachine;
import raft.logging.ReplicaMdc;
import shardctrl.ShardCtrlClient;
import wire.CborSerializable;

/**
 * One server of a shard group (the lab's shardkv server): a {@link ReplicatedStateMachine} over a
 * {@link ShardKvStateMachine}, like {@code kvraft.KvServer}, plus the duties its leader does every
 * {@link ShardKvSettings#pollInterval()} ({@link ShardKvDuties}): take the next configuration from
 * the controller (learnt by a Watch, not by polling), pull the shards it gains from their previous owners chunk by chunk, and have
 * the previous owners delete them once installed. Every step goes through the group's log and is
 * checked when applied, so a stale leader's step changes nothing.
 *
 * <p>Servers are named in configurations by a string that {@link #resolver} turns back into a ref:
 * the ref's serialization format ({@code akka://raftkv@host:port/user/shardkv-g100-p1} across
 * processes), see {@link #nameOf}.
 */
public final class ShardKvServer {
  private ShardKvServer() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * A client's operation on one shard (its session rides in the op). A read (Get, Scan) runs outside
   * the log at {@code consistency} ({@link ReadConsistency#LINEARIZABLE} if absent, as from an older
   * client): ReadIndex, the leader's lease, or this replica's applied state; writes ignore it.
   * {@code configNum} is the configuration the client routed with (0: not said); one newer than the
   * group's has its leader ask the controller at once instead of waiting for its watch.
   */
  public record Execute(ShardKvCommand.ClientOp op, ReadConsistency consistency, long configNum,
      ActorRef<ShardKvReply> replyTo) implements Command {
    @JsonCreator
    public Execute {
      if (consistency == null) consistency = ReadConsistency.LINEARIZABLE;
    }

    /** A call that does not say its configuration. */
    public Execute(ShardKvCommand.ClientOp op, ReadConsistency consistency, ActorRef<ShardKvReply> replyTo) {
      this(op, consistency, 0, replyTo);
    }

    /** A linearizable call. */
    public Execute(ShardKvCommand.ClientOp op, ActorRef<ShardKvReply> replyTo) {
      this(op, ReadConsistency.LINEARIZABLE, replyTo);
    }
  }

  /** From the new owner of a shard: a chunk of it as frozen at configuration {@code request.num()}. Answered by any replica. */
  public record Pull(ShardPull.Request request, ActorRef<ShardPull.Reply> replyTo) implements Command {}

  /** From the new owner of {@code shard} in configuration {@code num}: it has the shard, drop the frozen copy. */
  public record Delete(long num, int shard, ActorRef<ShardKvReply> replyTo) implements Command {}

  /** This replica's Raft status. */
  public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

  /** The group's membership as this replica sees it: {@code raft.rsm.AdminReply.Members}. */
  public record GetMembers(ActorRef<raft.rsm.AdminReply> replyTo) implements Command {}

  /** A membership change, on the leader (a replica move's steps): answered like {@code kvraft.KvServer.ChangeMembership}. */
  public record ChangeMembership(java.util.List<raft.message.MembershipChange> changes,
      ActorRef<raft.rsm.AdminReply> replyTo) implements Command {
    public ChangeMembership {
      changes = java.util.List.copyOf(changes);
    }
  }

  /** Hands leadership to {@code target} (empty: the most up-to-date voter), on the leader. */
  public record TransferLeadership(Optional<PeerId> target, ActorRef<raft.rsm.AdminReply> replyTo) implements Command {}

  /** Which configuration this replica has applied and the state of each shard in it (for operators and tests). */
  public record GetShards(ActorRef<Shards> replyTo) implements Command {}

  /**
   * The answer to {@link GetShards}: {@code statuses.get(s)} is shard s's state here, {@code
   * keys.get(s)} how many keys this replica holds for it (0 once a shard given away is deleted).
   */
  public record Shards(long configNum, java.util.List<ShardStatus> statuses, java.util.List<Integer> keys)
      implements CborSerializable {
    public Shards {
      statuses = java.util.List.copyOf(statuses);
      keys = java.util.List.copyOf(keys);
      if (keys.size() != statuses.size())
        throw new IllegalArgumentException(keys.size() + " key counts for " + statuses.size() + " shards");
    }

    /** Whether every shard this replica holds is served and owes nothing (no pull, hand-over or delete under way). */
    public boolean settled() {
      return statuses.stream().allMatch(st -> st == ShardStatus.SERVING || st == ShardStatus.ABSENT);
    }
  }

  /** Messages a server sends itself (never across the wire). */
  non-sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  /** The name a server is spawned under. */
  public static String actorName(GroupId group, PeerId peer) {
    return "shardkv-" + Objects.requireNonNull(group) + "-" + Objects.requireNonNull(peer);
  }

  /** The string that names {@code server} in a configuration's group list. */
  public static String nameOf(ActorSystem<?> system, ActorRef<Command> server) {
    return ActorRefResolver.get(system).toSerializationFormat(server);
  }

  /** Server names (as in a configuration) back to refs. */
  public static Function<String, ActorRef<Command>> resolver(ActorSystem<?> system) {
    ActorRefResolver r = ActorRefResolver.get(system);
    return r::resolveActorRef;
  }

  static final ReplicatedStateMachine.Replies<ShardKvReply> REPLIES = new ReplicatedStateMachine.Replies<>() {
    @Override
    public ShardKvReply wrongLeader(Optional<PeerId> hint) {
      return new ShardKvReply.Kv(new KvReply.WrongLeader(hint));
    }

    @Override
    public ShardKvReply busy() {
      return new ShardKvReply.Kv(KvReply.BUSY);
    }

    @Override
    public ShardKvReply rejected(String reason) {
      return new ShardKvReply.Kv(new KvReply.Rejected(reason));
    }

    @Override
    public ShardKvReply sessionExpired() {
      return new ShardKvReply.Kv(KvReply.SESSION_EXPIRED);
    }
  };

  /** Why a command is refused before it reaches the log: an oversized or malformed op, a write without a sequence number. */
  static Optional<ShardKvReply> refused(ShardKvCommand command) {
    if (!(command instanceof ShardKvCommand.ClientOp c)) return Optional.empty();
    if (!c.op().isRead() && c.seq() < 1) {
      // The group dedupes writes per shard by sequence number: one without could be taken for a duplicate.
      return Optional.of(new ShardKvReply.Kv(new KvReply.Rejected("a write needs a sequence number >= 1, was " + c.seq())));
    }
    return LIMITS.check(c.op()).map(ShardKvReply.Kv::new);
  }

  private static final KvLimits LIMITS = KvLimits.defaults();

  /**
   * @param peer how to start this server's Raft peer
   * @param controller the shard controller's client (shared by the servers of this JVM; not closed here)
   * @param resolver server names in configurations to refs ({@link #resolver})
   */
  public static Behavior<Command> create(ReplicatedStateMachine.PeerSpec peer, ShardKvSettings settings,
      ShardCtrlClient controller, Function<String, ActorRef<Command>> resolver) {
    return create(peer, settings, controller, resolver, ShardKvMetrics.NOOP);
  }

  /** As above, reporting its shards in migration to {@code metrics}. */
  public static Behavior<Command> create(ReplicatedStateMachine.PeerSpec peer, ShardKvSettings settings,
      ShardCtrlClient controller, Function<String, ActorRef<Command>> resolver, ShardKvMetrics metrics) {
    return ReplicaMdc.wrap(peer.group(), peer.self(), Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ShardKvStateMachine machine = new ShardKvStateMachine(settings.gid(), settings.mapping());
      ReplicatedStateMachine.Service<ShardKvCommand, ShardKvReply> service = new ReplicatedStateMachine.Service<>(
          machine, ShardKvCodec.COMMANDS, ShardKvCodec.RESULTS, REPLIES, ShardKvServer::refused,
          settings.maxRaftStateBytes());
      timers.startTimerWithFixedDelay(ShardKvDuties.Tick.INSTANCE, settings.pollInterval());
      return Behaviors.intercept(() -> new ShardKvDuties(ctx, settings, machine, controller, resolver, metrics),
          ReplicatedStateMachine.create(peer, service));
    })));
  }
}
