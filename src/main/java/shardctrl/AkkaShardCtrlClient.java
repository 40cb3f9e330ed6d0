package shardctrl;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.rsm.GroupClient;

/**
 * {@link ShardCtrlClient} over Akka ask, on the same retry loop as {@code kvraft.AkkaKvClient}
 * ({@link GroupClient}): leader hints, a cached leader, retries with the same {@code (clientId,
 * seq)}. A watch is retried like a query, each attempt allowed its timeout plus the attempt
 * timeout. Thread-safe.
 */
public final class AkkaShardCtrlClient implements ShardCtrlClient {

  private static final GroupClient.Protocol<ShardCtrlServer.Command, CtrlCommand, CtrlReply> PROTOCOL =
      new GroupClient.Protocol<>(ShardCtrlServer.Execute::new, ShardCtrlServer.GetStatus::new, CtrlCommand::isRead,
          AkkaShardCtrlClient::verdict, r -> r instanceof CtrlReply.WrongLeader w ? w.leaderHint() : Optional.empty(),
          CtrlReply::isResult, CtrlReply.TIMEOUT);

  private static GroupClient.Verdict verdict(CtrlReply reply) {
    if (reply instanceof CtrlReply.WrongLeader) return GroupClient.Verdict.WRONG_LEADER;
    if (reply instanceof CtrlReply.Busy) return GroupClient.Verdict.BUSY;
    if (reply instanceof CtrlReply.Timeout) return GroupClient.Verdict.NO_ANSWER;
    if (reply instanceof CtrlReply.SessionExpired) return GroupClient.Verdict.SESSION_EXPIRED;
    return GroupClient.Verdict.ANSWER;
  }

  private final GroupClient<ShardCtrlServer.Command, CtrlCommand, CtrlReply> group;

  /** @param servers the controller's servers; the first is tried first */
  public AkkaShardCtrlClient(ActorSystem<?> system, Map<PeerId, ActorRef<ShardCtrlServer.Command>> servers,
      GroupClient.Settings settings) {
    this.group = new GroupClient<>(system, servers, PROTOCOL, settings);
  }

  /**
   * A client for a test that replays from its seed: deadlines on {@code nanoTime} (a virtual-time
   * test's clock), client ids and retry jitter from {@code random} (see {@link GroupClient}).
   */
  public AkkaShardCtrlClient(ActorSystem<?> system, Map<PeerId, ActorRef<ShardCtrlServer.Command>> servers,
      GroupClient.Settings settings, LongSupplier nanoTime, RandomGenerator random) {
    this.group = new GroupClient<>(system, servers, PROTOCOL, settings, nanoTime, random);
  }

  /**
   * A client of the controller servers of {@code group} at {@code akka://system@host:port}
   * addresses, each spawned as {@code /user/}{@link ShardCtrlServer#actorName}.
   */
  public static AkkaShardCtrlClient atAddresses(ActorSystem<?> system, GroupId group, Map<PeerId, String> addresses,
      GroupClient.Settings settings) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    Map<PeerId, ActorRef<ShardCtrlServer.Command>> refs = new LinkedHashMap<>();
    addresses.forEach((p, address) ->
        refs.put(p, resolver.resolveActorRef(address + "/user/" + ShardCtrlServer.actorName(group, p))));
    return new AkkaShardCtrlClient(system, refs, settings);
  }

  @Override
  public CompletionStage<CtrlReply> execute(CtrlCommand command) {
    return group.execute(Objects.requireNonNull(command, "command"));
  }

  @Override
  public CompletionStage<CtrlReply> watch(long afterNum, Duration timeout) {
    GroupClient.Settings s = group.settings();
    return group.call(to -> new ShardCtrlServer.Watch(afterNum, timeout.toMillis(), to),
        timeout.plus(s.attemptTimeout()), timeout.plus(s.deadline()));
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return group.status();
  }

  /**
   * Follows the controller's members as they move: a leader hint naming a replica this client was
   * not given is reached through {@code resolve} (a hosted replica is addressable by its id).
   */
  public AkkaShardCtrlClient resolveHintsWith(java.util.function.Function<PeerId, ActorRef<ShardCtrlServer.Command>> resolve) {
    group.resolveHintsWith(resolve);
    return this;
  }

  /** Adds a controller server (one the controller's record lists) to those this client tries. */
  public void learnServer(PeerId peer, ActorRef<ShardCtrlServer.Command> ref) {
    group.learnServer(peer, ref);
  }

  /** The server this client last got a result from. */
  public PeerId leader() {
    return group.leader();
  }

  @Override
  public void close() {
    group.close();
  }

  /** Blocks for one reply; for tests and command-line tools, never inside an actor. */
  public CtrlReply await(CompletionStage<CtrlReply> stage) {
    return group.await(stage);
  }

}
