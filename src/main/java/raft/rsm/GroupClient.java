package raft.rsm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import akka.dispatch.ExecutionContexts;
import akka.util.Timeout;
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
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import raft.PeerId;
import raft.core.RaftStatus;
import scala.runtime.BoxedUnit;

/**
 * The client side of one replicated group over Akka ask (the lab's Clerk loop), for any service
 * on {@link ReplicatedStateMachine}: follows leader hints, caches the last leader, retries on
 * {@code WrongLeader}, {@code Busy} and unanswered attempts with the same {@code (clientId, seq)}
 * until the operation's deadline, then answers the service's {@code Timeout}. Results and
 * refusals are returned at once. The service says how to build its request message and how to
 * read its replies ({@link Protocol}); {@code kvraft.AkkaKvClient} and
 * {@code shardctrl.AkkaShardCtrlClient} are thin wrappers.
 *
 * <p>A server that left an attempt unanswered is <em>suspect</em> for a while ({@link
 * Settings#suspectFor}): the rotation and the cached leader skip it, as long as some server is not
 * suspect, so a dead replica costs an operation an attempt timeout once, not on every call. Any
 * reply from it clears the suspicion. Whoever knows the leader better (e.g. a node that hosts a
 * replica of the group and hears its role changes) tells the client with {@link #leaderIs}.
 * Retries after a full round back off with jitter, so a leaderless group is not hammered.
 *
 * <p>A server keeps one session (last sequence number) per client id, so one id must not have two
 * writes in flight. Concurrent operations therefore each borrow a session from a small pool: a
 * session is an id with its own sequence counter, and the pool grows to the client's peak
 * concurrency. Thread-safe.
 *
 * @param <M> the servers' message type
 * @param <C> the service's command type
 * @param <R> the service's reply type
 */
public final class GroupClient<M, C, R> {

  /**
   * @param attemptTimeout how long one server may take to answer one attempt
   * @param deadline how long an operation may take over all its attempts
   */
  public record Settings(Duration attemptTimeout, Duration deadline) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** How long a server that left an attempt unanswered is skipped: a few attempt timeouts. */
    public Duration suspectFor() {
      return attemptTimeout.multipliedBy(5);
    }

    public Settings validate() {
      if (attemptTimeout.isNegative() || attemptTimeout.isZero())
        throw new IllegalArgumentException("attemptTimeout must be positive, was " + attemptTimeout);
      if (deadline.compareTo(attemptTimeout) < 0)
        throw new IllegalArgumentException("deadline " + deadline + " is shorter than attemptTimeout " + attemptTimeout);
      return this;
    }
  }

  /** What a reply means to the retry loop. */
  public enum Verdict {
    /** A result or a refusal: retrying cannot change it. */
    ANSWER,
    /** Not the leader: try the hinted server, or the next. */
    WRONG_LEADER,
    /** The server is overloaded: retry it shortly. */
    BUSY,
    /** The server did not answer in time: try the next. */
    NO_ANSWER,
    /**
     * The servers forgot this write's session. On the write's first attempt nothing was applied,
     * so it is sent again under a new session; after earlier attempts one of them may have been
     * applied, so the reply is returned.
     */
    SESSION_EXPIRED
  }

  /** Builds the message that runs a command as write {@code seq} of {@code clientId} (0, 0 for reads). */
  @FunctionalInterface
  public interface Request<M, C, R> {
    M execute(long clientId, long seq, C command, ActorRef<R> replyTo);
  }

  /**
   * How a service's messages and replies look.
   *
   * @param execute the message that runs a command
   * @param status the message that asks a server for its Raft status
   * @param isRead whether a command only reads (it then carries no session)
   * @param verdict what a reply means to the retry loop
   * @param leaderHint for a {@link Verdict#WRONG_LEADER} reply: the leader it names, if any
   * @param isResult whether a reply is the result of an applied command (so its server leads)
   * @param timeout the reply given when the deadline passes
   */
  public record Protocol<M, C, R>(Request<M, C, R> execute, Function<ActorRef<RaftStatus>, M> status,
      Predicate<C> isRead, Function<R, Verdict> verdict, Function<R, Optional<PeerId>> leaderHint,
      Predicate<R> isResult, R timeout) {}

  /** A client id and its last used sequence number; used by one operation at a time. */
  private static final class Session {
    long clientId;
    long seq;

    Session(long clientId) {
      this.clientId = clientId;
    }

    /** The servers forgot this session: continue under a new id, from seq 1. */
    void renew(long id) {
      clientId = id;
      seq = 1;
    }
  }

  /**
   * One operation in progress; all its attempts send the same message. {@code renewed}, for
   * writes only (else null), renews the write's session and gives the message under the new one.
   */
  private record Op<M, R>(Function<ActorRef<R>, M> request, Duration attemptTimeout, long deadlineNanos,
      CompletableFuture<R> result, Supplier<Function<ActorRef<R>, M>> renewed) {
    Op<M, R> withRequest(Function<ActorRef<R>, M> next) {
      return new Op<>(next, attemptTimeout, deadlineNanos, result, renewed);
    }
  }

  private static final SecureRandom IDS = new SecureRandom();
  /** Runs an ask's callback at once on the thread that completes it (where the reply arrives). */
  private static final scala.concurrent.ExecutionContextExecutor ON_THE_REPLYING_THREAD =
      ExecutionContexts.fromExecutor(Runnable::run);

  /** Grows when a hint names a server the client did not know ({@link #resolveHintsWith}); never shrinks. */
  private final Map<PeerId, ActorRef<M>> servers;
  private final List<PeerId> order;
  /** How a hinted server the client does not know becomes a ref; null: such hints are ignored. */
  private volatile Function<PeerId, ActorRef<M>> hinted;
  private final Protocol<M, C, R> protocol;
  private final Scheduler scheduler;
  private final scala.concurrent.ExecutionContextExecutor executor;
  private final Settings settings;
  private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Where deadlines and suspicions are measured: System.nanoTime, or the test's virtual time. */
  private final LongSupplier nanoTime;
  /** Client ids and retry jitter: null for SecureRandom ids and ThreadLocalRandom jitter, else a test's seeded generator. */
  private final RandomGenerator random;
  private volatile PeerId leader;
  /** Servers that left an attempt unanswered: skipped until this {@link #nanoTime} reading. */
  private final java.util.concurrent.ConcurrentHashMap<PeerId, Long> suspectUntil = new java.util.concurrent.ConcurrentHashMap<>();

  /** @param servers the group's servers; the first is tried first */
  public GroupClient(ActorSystem<?> system, Map<PeerId, ActorRef<M>> servers, Protocol<M, C, R> protocol,
      Settings settings) {
    this(system, servers, protocol, settings, System::nanoTime, Optional.empty());
  }

  /**
   * A client for a test that replays from its seed.
   *
   * @param nanoTime the clock of deadlines and suspicions, in nanoseconds; it must run with the
   *     system's scheduler (a virtual-time test passes its ManualTime clock, so an operation's
   *     deadline is as many virtual seconds as its ask timeouts)
   * @param random where client ids and retry jitter come from (a generator seeded by the test);
   *     this client draws from it under its lock, so it may be shared
   */
  public GroupClient(ActorSystem<?> system, Map<PeerId, ActorRef<M>> servers, Protocol<M, C, R> protocol,
      Settings settings, LongSupplier nanoTime, RandomGenerator random) {
    this(system, servers, protocol, settings, nanoTime, Optional.of(random));
  }

  private GroupClient(ActorSystem<?> system, Map<PeerId, ActorRef<M>> servers, Protocol<M, C, R> protocol,
      Settings settings, LongSupplier nanoTime, Optional<RandomGenerator> random) {
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.random = random.orElse(null);
    if (servers.isEmpty()) throw new IllegalArgumentException("no servers");
    this.servers = new java.util.concurrent.ConcurrentHashMap<>(servers);
    this.order = new java.util.concurrent.CopyOnWriteArrayList<>(new LinkedHashMap<>(servers).keySet());
    this.protocol = protocol;
    this.scheduler = system.scheduler();
    this.executor = system.executionContext();
    this.settings = settings.validate();
    this.leader = order.get(0);
  }

  public Settings settings() {
    return settings;
  }

  /** Runs {@code command}: a write under a borrowed session and its next sequence number. */
  public CompletionStage<R> execute(C command) {
    if (protocol.isRead().test(command)) return call(to -> protocol.execute().execute(0, 0, command, to), settings.attemptTimeout(),
        settings.deadline());
    Session s = idle.poll();
    if (s == null) s = new Session(nextClientId());
    s.seq++;
    Session session = s;
    Supplier<Function<ActorRef<R>, M>> renewed = () -> {
      session.renew(nextClientId());
      return write(command, session);
    };
    return start(new Op<>(write(command, session), settings.attemptTimeout(),
            nanoTime.getAsLong() + settings.deadline().toNanos(), new CompletableFuture<>(), renewed))
        .whenComplete((r, e) -> idle.add(session));
  }

  /** The message for {@code command} under the session's current id and sequence number. */
  private Function<ActorRef<R>, M> write(C command, Session session) {
    long clientId = session.clientId;
    long seq = session.seq;
    return to -> protocol.execute().execute(clientId, seq, command, to);
  }

  /**
   * Sends a request that needs no session (e.g. a watch) to the leader, retrying like a read:
   * each attempt may take {@code attemptTimeout}, all of them {@code deadline}.
   */
  public CompletionStage<R> call(Function<ActorRef<R>, M> request, Duration attemptTimeout, Duration deadline) {
    return start(new Op<>(request, attemptTimeout, nanoTime.getAsLong() + deadline.toNanos(), new CompletableFuture<>(), null));
  }

  private CompletionStage<R> start(Op<M, R> op) {
    if (closed.get()) op.result().complete(protocol.timeout());
    else attempt(op, live(leader), 0);
    return op.result();
  }

  /**
   * Someone who knows better says {@code peer} leads (e.g. the local replica's Raft status): the
   * next operations go there first. Ignored for a server not in the group.
   */
  public void leaderIs(PeerId peer) {
    if (servers.containsKey(peer)) leader = peer;
  }

  /**
   * Hints naming a server this client was not given are followed from now on, through {@code
   * resolve} (a group whose members change, e.g. the shard controller after a replica move: its
   * new replica is addressable by its id). The server is added to the rotation.
   */
  public void resolveHintsWith(Function<PeerId, ActorRef<M>> resolve) {
    this.hinted = Objects.requireNonNull(resolve);
  }

  /** Adds {@code peer} to the rotation if the client does not know it (e.g. a member learnt from the group's own record). */
  public synchronized void learnServer(PeerId peer, ActorRef<M> ref) {
    if (servers.putIfAbsent(peer, ref) == null) order.add(peer);
  }

  /** Whether {@code peer} left an attempt unanswered lately and is being skipped. */
  public boolean isSuspect(PeerId peer) {
    Long until = suspectUntil.get(peer);
    if (until == null) return false;
    if (until - nanoTime.getAsLong() > 0) return true;
    suspectUntil.remove(peer, until);
    return false;
  }

  /** {@code p} unless it is suspect, else the first server after it that is not; {@code p} if all are. */
  private PeerId live(PeerId p) {
    if (!isSuspect(p)) return p;
    PeerId n = p;
    for (int i = 1; i < order.size(); i++) {
      n = order.get((order.indexOf(n) + 1) % order.size());
      if (!isSuspect(n)) return n;
    }
    return p;
  }

  private void attempt(Op<M, R> op, PeerId target, int tries) {
    long remaining = op.deadlineNanos() - nanoTime.getAsLong();
    if (remaining <= 0 || closed.get()) {
      op.result().complete(protocol.timeout());
      return;
    }
    Duration timeout = Duration.ofNanos(Math.min(remaining, op.attemptTimeout().toNanos()));
    // The Scala ask, its callback run where the reply arrives: the Java ask's future runs every
    // callback on the common pool, one thread handoff more per call for nothing, since answered()
    // only sends or completes.
    scala.Function1<ActorRef<R>, M> request = op.request()::apply;
    akka.actor.typed.scaladsl.AskPattern.Askable$.MODULE$
        .<R, M>ask$extension(servers.get(target), request, Timeout.create(timeout), scheduler)
        .onComplete(reply -> {
          answered(op, target, tries, reply.isSuccess() ? reply.get() : null);
          return BoxedUnit.UNIT;
        }, ON_THE_REPLYING_THREAD);
  }

  private void answered(Op<M, R> op, PeerId target, int tries, R reply) {
    if (reply == null) suspectUntil.put(target, nanoTime.getAsLong() + settings.suspectFor().toNanos());
    else suspectUntil.remove(target);
    Verdict v = reply == null ? Verdict.NO_ANSWER : protocol.verdict().apply(reply);
    if (v == Verdict.WRONG_LEADER) {
      // A hint to a server that is not answering is likely stale (it names the leader that died),
      // but once a full round has named it, it is believed: a leader that missed one attempt
      // would otherwise be skipped until its suspicion runs out.
      boolean roundDone = tries + 1 >= servers.size();
      Function<PeerId, ActorRef<M>> resolve = hinted;
      protocol.leaderHint().apply(reply).filter(h -> resolve != null && !servers.containsKey(h))
          .ifPresent(h -> learnServer(h, resolve.apply(h)));
      Optional<PeerId> hint = protocol.leaderHint().apply(reply)
          .filter(h -> !h.equals(target) && servers.containsKey(h) && (roundDone || !isSuspect(h)));
      retry(op, hint.orElseGet(() -> next(target)), tries);
    } else if (v == Verdict.BUSY) {
      retryLater(op, target, tries, Duration.ofMillis(50));
    } else if (v == Verdict.NO_ANSWER) {
      retry(op, next(target), tries); // that server may be down or cut off
    } else if (v == Verdict.SESSION_EXPIRED && tries == 0 && op.renewed() != null) {
      attempt(op.withRequest(op.renewed().get()), target, 0); // refused on its first attempt: never applied
    } else {
      if (protocol.isResult().test(reply)) leader = target;
      op.result().complete(reply);
    }
  }

  /** Once every server was tried, back off a little so a leaderless group is not hammered. */
  private void retry(Op<M, R> op, PeerId target, int tries) {
    int round = tries / servers.size();
    if (round == 0) attempt(op, target, tries + 1);
    else retryLater(op, target, tries, Duration.ofMillis(Math.min(200, 20L * round)));
  }

  /** Tries {@code target} (already chosen past suspects, or a believed hint) after about {@code delay} (half to one and a half of it). */
  private void retryLater(Op<M, R> op, PeerId target, int tries, Duration delay) {
    // Jitter, so that clients that failed together do not retry together.
    long jittered = delay.toNanos() / 2 + nextJitter(delay.toNanos() + 1);
    scheduler.scheduleOnce(Duration.ofNanos(jittered), () -> attempt(op, target, tries + 1), executor);
  }

  private long nextClientId() {
    if (random == null) return IDS.nextLong();
    synchronized (random) {
      return random.nextLong();
    }
  }

  /** A draw in [0, bound). */
  private long nextJitter(long bound) {
    if (random == null) return java.util.concurrent.ThreadLocalRandom.current().nextLong(bound);
    synchronized (random) {
      return random.nextLong(bound);
    }
  }

  /** The server after {@code p} in the rotation, skipping suspects (unless all others are). */
  private PeerId next(PeerId p) {
    return live(order.get((order.indexOf(p) + 1) % order.size()));
  }

  /** The status of every server that answers within the attempt timeout. */
  public CompletionStage<List<RaftStatus>> status() {
    List<CompletableFuture<Optional<RaftStatus>>> asks = new ArrayList<>();
    for (PeerId p : order) {
      asks.add(AskPattern.<M, RaftStatus>ask(servers.get(p), to -> protocol.status().apply(to), settings.attemptTimeout(), scheduler)
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

  /** Blocks for one reply, a little longer than the deadline; for tests and command-line tools, never inside an actor. */
  public R await(CompletionStage<R> stage) {
    try {
      return stage.toCompletableFuture().get(settings.deadline().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no reply: " + e, e);
    }
  }

  /** Pending and later operations complete with the service's timeout reply. */
  public void close() {
    closed.set(true);
  }
}
