package kvraft;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;

/**
 * {@link KvClient} over Akka ask (the lab's Clerk): follows leader hints, caches the last leader,
 * retries on {@code WrongLeader}, {@code Busy} and unanswered attempts with the same
 * {@code (clientId, seq)} until the operation's deadline, then answers {@link KvReply.Timeout}.
 * {@code Rejected} and results are returned at once. {@code SessionExpired} on an operation's
 * first attempt (the servers forgot this session) renews the session and sends again; on a later
 * attempt it is returned, since an earlier attempt may have been applied.
 *
 * <p>A server keeps one session (last sequence number) per client id, so one id must not have two
 * writes in flight. Concurrent operations therefore each borrow a session from a small pool: a
 * session is an id with its own sequence counter, and the pool grows to the client's peak
 * concurrency. Thread-safe.
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
      if (attemptTimeout.isNegative() || attemptTimeout.isZero())
        throw new IllegalArgumentException("attemptTimeout must be positive, was " + attemptTimeout);
      if (deadline.compareTo(attemptTimeout) < 0)
        throw new IllegalArgumentException("deadline " + deadline + " is shorter than attemptTimeout " + attemptTimeout);
      return this;
    }
  }

  /** A client id and its last used sequence number; used by one operation at a time. */
  private static final class Session {
    long clientId;
    long seq;

    Session(long clientId) {
      this.clientId = clientId;
    }

    /** The servers forgot this session: continue under a new id, from seq 1. */
    void renew() {
      clientId = IDS.nextLong();
      seq = 1;
    }
  }

  /** One operation in progress; all its attempts use the same session and seq (session null for reads). */
  private record Op(KvCommand command, long clientId, long seq, long deadlineNanos, CompletableFuture<KvReply> result,
      Session session) {}

  private static final SecureRandom IDS = new SecureRandom();

  private final Map<PeerId, ActorRef<KvServer.Command>> servers;
  private final List<PeerId> order;
  private final Scheduler scheduler;
  private final scala.concurrent.ExecutionContextExecutor executor;
  private final Settings settings;
  private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile PeerId leader;

  public AkkaKvClient(ActorSystem<?> system, Map<PeerId, ActorRef<KvServer.Command>> servers, Settings settings) {
    if (servers.isEmpty()) throw new IllegalArgumentException("no servers");
    this.servers = Map.copyOf(servers);
    this.order = List.copyOf(new LinkedHashMap<>(servers).keySet());
    this.scheduler = system.scheduler();
    this.executor = system.executionContext();
    this.settings = settings.validate();
    this.leader = order.get(0);
  }

  /**
   * A client of the servers of {@code group} at {@code akka://system@host:port} addresses, each
   * spawned as {@code /user/}{@link KvServer#actorName}; works from any JVM with remoting enabled.
   */
  public static AkkaKvClient atAddresses(ActorSystem<?> system, GroupId group, Map<PeerId, String> addresses,
      Settings settings) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    addresses.forEach((p, address) ->
        refs.put(p, resolver.resolveActorRef(address + "/user/" + KvServer.actorName(group, p))));
    return new AkkaKvClient(system, refs, settings);
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
    Objects.requireNonNull(command, "command");
    CompletableFuture<KvReply> result = new CompletableFuture<>();
    if (closed.get()) {
      result.complete(KvReply.TIMEOUT);
      return result;
    }
    long deadline = System.nanoTime() + settings.deadline().toNanos();
    if (command.isRead()) {
      attempt(new Op(command, 0, 0, deadline, result, null), leader, 0);
      return result;
    }
    Session s = idle.poll();
    if (s == null) s = new Session(IDS.nextLong());
    s.seq++;
    Session session = s;
    attempt(new Op(command, s.clientId, s.seq, deadline, result, s), leader, 0);
    return result.whenComplete((r, e) -> idle.add(session));
  }

  private void attempt(Op op, PeerId target, int tries) {
    long remaining = op.deadlineNanos() - System.nanoTime();
    if (remaining <= 0 || closed.get()) {
      op.result().complete(KvReply.TIMEOUT);
      return;
    }
    Duration timeout = Duration.ofNanos(Math.min(remaining, settings.attemptTimeout().toNanos()));
    AskPattern.<KvServer.Command, KvReply>ask(servers.get(target),
            to -> new KvServer.Execute(op.clientId(), op.seq(), op.command(), to), timeout, scheduler)
        .whenComplete((reply, failure) -> answered(op, target, tries, reply));
  }

  private void answered(Op op, PeerId target, int tries, KvReply reply) {
    if (reply instanceof KvReply.WrongLeader w) {
      Optional<PeerId> hint = w.leaderHint().filter(h -> !h.equals(target) && servers.containsKey(h));
      retry(op, hint.orElseGet(() -> next(target)), tries);
    } else if (reply instanceof KvReply.Busy) {
      retryLater(op, target, tries, Duration.ofMillis(50));
    } else if (reply instanceof KvReply.SessionExpired && tries == 0 && op.session() != null) {
      // Refused on its first attempt: never applied, so it is safe to send again under a new
      // session. After earlier attempts an earlier one may have been applied: return the answer.
      Session s = op.session();
      s.renew();
      attempt(new Op(op.command(), s.clientId, s.seq, op.deadlineNanos(), op.result(), s), target, 0);
    } else if (reply == null || reply instanceof KvReply.Timeout) {
      retry(op, next(target), tries); // no answer in time: that server may be down or cut off
    } else {
      if (reply.isResult()) leader = target;
      op.result().complete(reply); // a result, or Rejected: retrying cannot change it
    }
  }

  /** Once every server was tried, back off a little so a leaderless group is not hammered. */
  private void retry(Op op, PeerId target, int tries) {
    int round = tries / servers.size();
    if (round == 0) attempt(op, target, tries + 1);
    else retryLater(op, target, tries, Duration.ofMillis(Math.min(200, 20L * round)));
  }

  private void retryLater(Op op, PeerId target, int tries, Duration delay) {
    scheduler.scheduleOnce(delay, () -> attempt(op, target, tries + 1), executor);
  }

  private PeerId next(PeerId p) {
    return order.get((order.indexOf(p) + 1) % order.size());
  }

  /** The status of every server that answers within the attempt timeout. */
  @Override
  public CompletionStage<List<RaftStatus>> status() {
    List<CompletableFuture<Optional<RaftStatus>>> asks = new ArrayList<>();
    for (PeerId p : order) {
      asks.add(AskPattern.<KvServer.Command, RaftStatus>ask(servers.get(p), KvServer.GetStatus::new,
              settings.attemptTimeout(), scheduler)
          .toCompletableFuture()
          .thenApply(Optional::of)
          .exceptionally(e -> Optional.empty()));
    }
    return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
  }

  /** The server this client last got a result from. */
  public PeerId leader() {
    return leader;
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** Blocks for one reply; for tests and command-line tools, never inside an actor. */
  public KvReply await(CompletionStage<KvReply> stage) {
    try {
      return stage.toCompletableFuture().get(settings.deadline().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no reply: " + e, e);
    }
  }
}
