package kvraft;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.rsm.GroupClient;
import raft.rsm.ReadConsistency;

/**
 * {@link KvClient} over Akka ask (the lab's Clerk), on {@link GroupClient}: follows leader hints,
 * caches the last leader, retries on {@code WrongLeader}, {@code Busy} and unanswered attempts with
 * the same {@code (clientId, seq)} until the operation's deadline, then answers {@link
 * KvReply.Timeout}. {@code Rejected} and results are returned at once. {@code SessionExpired} on a
 * write's first attempt (the servers forgot this session) renews the session and sends again; on a
 * later attempt it is returned, since an earlier attempt may have been applied. Concurrent writes
 * each borrow a session (client id and sequence counter) from a pool. Thread-safe.
 *
 * <p>An operation completes on the thread that delivers its reply (an Akka dispatcher thread), so
 * callbacks registered without an executor run there: they must not block (pass an executor, e.g.
 * {@code thenApplyAsync}, for work that does).
 */
public final class AkkaKvClient implements KvClient {

  /**
   * @param attemptTimeout how long one server may take to answer one attempt
   * @param deadline how long an operation may take over all its attempts
   */
  public record Settings(Duration attemptTimeout, Duration deadline) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public Settings validate() {
      group();
      return this;
    }

    GroupClient.Settings group() {
      return new GroupClient.Settings(attemptTimeout, deadline).validate();
    }
  }

  /** How KV requests and replies look to the retry loop. */
  private static final GroupClient.Protocol<KvServer.Command, KvCommand, KvReply> PROTOCOL = new GroupClient.Protocol<>(
      KvServer.Execute::new, KvServer.GetStatus::new, KvCommand::isRead, AkkaKvClient::verdict,
      r -> r instanceof KvReply.WrongLeader w ? w.leaderHint() : Optional.empty(), KvReply::isResult,
      KvReply.TIMEOUT);

  private static GroupClient.Verdict verdict(KvReply reply) {
    if (reply instanceof KvReply.WrongLeader) return GroupClient.Verdict.WRONG_LEADER;
    if (reply instanceof KvReply.Busy) return GroupClient.Verdict.BUSY;
    if (reply instanceof KvReply.Timeout) return GroupClient.Verdict.NO_ANSWER;
    if (reply instanceof KvReply.SessionExpired) return GroupClient.Verdict.SESSION_EXPIRED;
    return GroupClient.Verdict.ANSWER;
  }

  private final GroupClient<KvServer.Command, KvCommand, KvReply> group;

  public AkkaKvClient(ActorSystem<?> system, Map<PeerId, ActorRef<KvServer.Command>> servers, Settings settings) {
    this.group = new GroupClient<>(system, servers, PROTOCOL, settings.group());
  }

  /**
   * A client for a test that replays from its seed: deadlines on {@code nanoTime} (a virtual-time
   * test's clock), client ids and retry jitter from {@code random} (see {@link GroupClient}).
   */
  public AkkaKvClient(ActorSystem<?> system, Map<PeerId, ActorRef<KvServer.Command>> servers, Settings settings,
      LongSupplier nanoTime, RandomGenerator random) {
    this.group = new GroupClient<>(system, servers, PROTOCOL, settings.group(), nanoTime, random);
  }

  /**
   * A client of the servers of {@code group} at {@code akka://system@host:port} addresses, each
   * spawned as {@code /user/}{@link KvServer#actorName}; works from any JVM with remoting enabled.
   */
  public static AkkaKvClient atAddresses(ActorSystem<?> system, GroupId group, Map<PeerId, String> addresses,
      Settings settings) {
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    addresses.forEach((p, address) -> refs.put(p, serverAt(system, group, p, address)));
    return new AkkaKvClient(system, refs, settings);
  }

  /** The server of {@code peer} in {@code group} at {@code akka://system@host:port}. */
  public static ActorRef<KvServer.Command> serverAt(ActorSystem<?> system, GroupId group, PeerId peer, String address) {
    return ActorRefResolver.get(system).resolveActorRef(address + "/user/" + KvServer.actorName(group, peer));
  }

  /**
   * A client of the servers of {@code group} that the receptionist lists (in a cluster: on every
   * node), once it lists {@code expected} of them; fails after {@code wait}.
   */
  public static CompletionStage<AkkaKvClient> viaReceptionist(ActorSystem<?> system, GroupId group, int expected,
      Duration wait, Settings settings) {
    CompletableFuture<AkkaKvClient> result = new CompletableFuture<>();
    findServers(system, group, expected, System.nanoTime() + wait.toNanos(), settings, result);
    return result;
  }

  private static void findServers(ActorSystem<?> system, GroupId group, int expected, long deadlineNanos,
      Settings settings, CompletableFuture<AkkaKvClient> result) {
    ServiceKey<KvServer.Command> key = KvServer.serviceKey(group);
    AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            to -> Receptionist.find(key, to), settings.attemptTimeout(), system.scheduler())
        .whenComplete((listing, failure) -> {
          Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
          if (listing != null) {
            String prefix = KvServer.actorName(group, PeerId.of("x"));
            prefix = prefix.substring(0, prefix.length() - 1);
            for (ActorRef<KvServer.Command> ref : listing.getServiceInstances(key)) {
              String name = ref.path().name();
              if (name.startsWith(prefix)) refs.put(PeerId.of(name.substring(prefix.length())), ref);
            }
          }
          if (refs.size() >= expected) {
            result.complete(new AkkaKvClient(system, refs, settings));
          } else if (System.nanoTime() > deadlineNanos) {
            result.completeExceptionally(new IllegalStateException(
                "the receptionist lists " + refs.keySet() + " for " + key.id() + ", want " + expected + " servers"));
          } else {
            system.scheduler().scheduleOnce(Duration.ofMillis(100),
                () -> findServers(system, group, expected, deadlineNanos, settings, result), system.executionContext());
          }
        });
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand command) {
    return group.execute(Objects.requireNonNull(command, "command"));
  }

  /**
   * A serializable read goes to the replica this client last got an answer from (the leader,
   * usually), any replica will do: each answers from what it has applied, and only a silent one
   * makes the client try the next. A lease read likewise carries its level to the replica (whose
   * leader serves it from its lease, or which refuses it if not configured). Everything else is
   * {@link #execute(KvCommand)}.
   */
  @Override
  public CompletionStage<KvReply> execute(KvCommand command, ReadConsistency consistency) {
    if (consistency == ReadConsistency.LINEARIZABLE || !command.isRead()) return execute(command);
    GroupClient.Settings s = group.settings();
    return group.call(to -> new KvServer.Execute(0, 0, command, consistency, to), s.attemptTimeout(),
        s.deadline());
  }

  /** The status of every server that answers within the attempt timeout. */
  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return group.status();
  }

  /** The server this client last got a result from, or was told leads. */
  public PeerId leader() {
    return group.leader();
  }

  /** {@code peer} leads (e.g. as the local replica's status says): the next operations go there first. */
  public void leaderIs(PeerId peer) {
    group.leaderIs(peer);
  }

  /** Whether {@code peer} left an attempt unanswered lately, and is skipped for now. */
  public boolean isSuspect(PeerId peer) {
    return group.isSuspect(peer);
  }

  @Override
  public void close() {
    group.close();
  }

  /** Blocks for one reply; for tests and command-line tools, never inside an actor. */
  public KvReply await(CompletionStage<KvReply> stage) {
    return group.await(stage);
  }

}
