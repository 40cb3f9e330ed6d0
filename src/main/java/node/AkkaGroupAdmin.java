package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import kvraft.AkkaKvClient;
import kvraft.KvServer;
import raft.GroupId;
import raft.PeerId;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;

/**
 * {@link GroupAdmin} over Akka ask to the group's {@link KvServer}s (by ref, or at their
 * addresses from any JVM with remoting). A change goes to the replica that says it leads (asked
 * anew for every operation, so a dead replica is never waited for), follows {@code NotLeader}
 * hints and waits out a leadership transfer, until the deadline. The waiting runs on Akka's
 * blocking dispatcher, never on the caller's thread.
 */
public final class AkkaGroupAdmin implements GroupAdmin {
  /** Pause before asking again when no replica leads (an election takes at least one election timeout). */
  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  /**
   * How a server's protocol says each admin request: {@link #KV} for {@link KvServer}, and the
   * same three messages of another service (a shard group's {@code ShardKvServer}).
   */
  public record Protocol<C>(Function<ActorRef<AdminReply>, C> members,
      BiFunction<List<MembershipChange>, ActorRef<AdminReply>, C> change,
      BiFunction<Optional<PeerId>, ActorRef<AdminReply>, C> transfer) {}

  public static final Protocol<KvServer.Command> KV = new Protocol<>(KvServer.GetMembers::new,
      KvServer.ChangeMembership::new, KvServer.TransferLeadership::new);

  private final ActorSystem<?> system;
  private final Map<PeerId, ActorRef<Object>> servers;
  private final Protocol<Object> protocol;
  private final Duration attemptTimeout;
  private final Duration deadline;
  private final Executor blocking;

  /**
   * @param attemptTimeout how long one replica may take to say who it is and what it sees
   * @param deadline how long an operation may take, waiting for a leader and the change to apply
   */
  public AkkaGroupAdmin(ActorSystem<?> system, Map<PeerId, ActorRef<KvServer.Command>> servers, Duration attemptTimeout,
      Duration deadline) {
    this(system, servers, KV, attemptTimeout, deadline);
  }

  /** Over the servers of any service that answers the three admin requests of {@code protocol}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <C> AkkaGroupAdmin(ActorSystem<?> system, Map<PeerId, ActorRef<C>> servers, Protocol<C> protocol,
      Duration attemptTimeout, Duration deadline) {
    if (servers.isEmpty()) throw new IllegalArgumentException("no servers to administer");
    this.system = system;
    this.servers = (Map) Map.copyOf(servers);
    this.protocol = (Protocol) protocol;
    this.attemptTimeout = attemptTimeout;
    this.deadline = deadline;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** The servers of {@code group} at {@code akka://system@host:port} addresses. */
  public static AkkaGroupAdmin atAddresses(ActorSystem<?> system, GroupId group, Map<PeerId, String> addresses,
      AkkaKvClient.Settings settings) {
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    addresses.forEach((p, address) -> refs.put(p, AkkaKvClient.serverAt(system, group, p, address)));
    return new AkkaGroupAdmin(system, refs, settings.attemptTimeout(), settings.deadline());
  }

  @Override
  public CompletionStage<GroupMembers> members() {
    List<CompletableFuture<MembershipStatus>> asks = new ArrayList<>();
    for (ActorRef<Object> server : servers.values()) {
      asks.add(AskPattern.<Object, AdminReply>ask(server, protocol.members()::apply, attemptTimeout,
              system.scheduler())
          .handle((r, failure) -> r instanceof AdminReply.Members m ? m.status() : null)
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(done -> new GroupMembers(asks.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList()));
  }

  @Override
  public CompletionStage<AdminReply> change(MembershipChange change) {
    return atLeader(to -> protocol.change().apply(List.of(change), to));
  }

  @Override
  public CompletionStage<AdminReply> transferLeadership(Optional<PeerId> target) {
    return atLeader(to -> protocol.transfer().apply(target, to));
  }

  private CompletionStage<AdminReply> atLeader(Function<ActorRef<AdminReply>, Object> request) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return untilAnswered(request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new AdminReply.Unavailable("interrupted");
      }
    }, blocking);
  }

  /** Asks the leader, following hints and transfers, until a result, a refusal or the deadline. */
  private AdminReply untilAnswered(Function<ActorRef<AdminReply>, Object> request) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    AdminReply last = new AdminReply.NotLeader(Optional.empty());
    Optional<PeerId> next = Optional.empty();
    while (System.nanoTime() < end) {
      Optional<PeerId> to = next.filter(servers::containsKey).or(this::locateLeader);
      next = Optional.empty();
      if (to.isEmpty()) {
        Thread.sleep(RETRY_PAUSE.toMillis());
        continue;
      }
      long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
      AdminReply r = ask(to.get(), request, Duration.ofMillis(remaining));
      if (r instanceof AdminReply.NotLeader n) {
        last = r;
        next = n.leaderHint().filter(h -> !h.equals(to.get()));
        if (next.isEmpty()) Thread.sleep(RETRY_PAUSE.toMillis());
      } else if (r instanceof AdminReply.TransferInProgress t) {
        last = r;
        Thread.sleep(RETRY_PAUSE.toMillis()); // the transfer completes or gives up within an election timeout
        next = Optional.of(t.target());
      } else {
        return r;
      }
    }
    return last;
  }

  private AdminReply ask(PeerId p, Function<ActorRef<AdminReply>, Object> request, Duration timeout)
      throws InterruptedException {
    try {
      return AskPattern.ask(servers.get(p), request::apply, timeout, system.scheduler()).toCompletableFuture()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return new AdminReply.Unavailable(p + " did not answer within " + timeout.toMillis()
          + " ms; a change may or may not have been applied (list the members to see)");
    }
  }

  /** The replica that says it leads, or the leader a replica names; empty if none is known. */
  private Optional<PeerId> locateLeader() {
    GroupMembers members;
    try {
      members = members().toCompletableFuture().get(attemptTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return Optional.empty();
    }
    return members.leader().map(MembershipStatus::peer)
        .or(() -> members.replicas().stream().flatMap(s -> s.leader().stream()).filter(servers::containsKey).findFirst());
  }

  @Override
  public void close() {
    // Nothing of its own: the ActorSystem belongs to the caller.
  }
}
