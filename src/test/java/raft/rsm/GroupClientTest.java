package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import kvraft.AkkaKvClient;
import kvraft.KvReply;
import kvraft.KvServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;

/**
 * The retry loop against scripted servers (no Raft): a dead server costs one attempt timeout and is
 * then skipped, a leader told with {@code leaderIs} is tried first, and the typed replies come
 * through. Through {@link AkkaKvClient}, the thinnest wrapper of {@link GroupClient}.
 */
class GroupClientTest {
  private static final PeerId A = PeerId.of("a");
  private static final PeerId B = PeerId.of("b");
  private static final PeerId C = PeerId.of("c");
  private static final Duration ATTEMPT = Duration.ofMillis(300);
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** A server that counts the requests it gets and answers each with {@code reply} (or not at all if it gives null). */
  private static Behavior<KvServer.Command> server(AtomicInteger received, Function<KvServer.Execute, KvReply> reply) {
    return Behaviors.receive(KvServer.Command.class)
        .onMessage(KvServer.Execute.class, e -> {
          received.incrementAndGet();
          KvReply r = reply.apply(e);
          if (r != null) e.replyTo().tell(r);
          return Behaviors.same();
        })
        .build();
  }

  private static AkkaKvClient client(Map<PeerId, ActorRef<KvServer.Command>> servers) {
    return new AkkaKvClient(kit.system(), servers, new AkkaKvClient.Settings(ATTEMPT, Duration.ofSeconds(10)));
  }

  /** The scripted server's own reminder to answer now. */
  private record AnswerNow(ActorRef<KvReply> replyTo) implements akka.actor.NoSerializationVerificationNeeded {}

  /**
   * The reply completes the operation on the thread that delivered it (the server actor's): no
   * hop through the common pool before the caller learns its result. The server answers a moment
   * later, from a message to itself, so the caller's callback is registered by then.
   */
  @Test
  void anOperationCompletesOnTheThreadThatDeliversTheReply() throws Exception {
    java.util.List<String> serverThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    ActorRef<Object> server = kit.spawn(Behaviors.setup(ctx -> Behaviors.receive(Object.class)
        .onMessage(KvServer.Execute.class, e -> {
          ctx.scheduleOnce(Duration.ofMillis(100), ctx.getSelf(), new AnswerNow(e.replyTo()));
          return Behaviors.same();
        })
        .onMessage(AnswerNow.class, a -> {
          serverThreads.add(Thread.currentThread().getName());
          a.replyTo().tell(KvReply.DONE);
          return Behaviors.same();
        })
        .build()));
    ActorRef<KvServer.Command> leader = server.narrow();
    try (AkkaKvClient c = client(Map.of(A, leader))) {
      for (int i = 0; i < 3; i++) {
        java.util.concurrent.CompletableFuture<String> completedOn = new java.util.concurrent.CompletableFuture<>();
        c.put("k" + i, "v").whenComplete((r, e) -> completedOn.complete(Thread.currentThread().getName()));
        String thread = completedOn.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(serverThreads.get(serverThreads.size() - 1), thread, "completed where the reply was sent");
      }
    }
  }

  /** A test's generator gives the client ids (and the retry jitter), so a run replays from its seed. */
  @Test
  void clientIdsComeFromTheGivenGenerator() {
    java.util.List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    ActorRef<KvServer.Command> leader = kit.spawn(Behaviors.receive(KvServer.Command.class)
        .onMessage(KvServer.Execute.class, e -> {
          ids.add(e.clientId());
          e.replyTo().tell(KvReply.DONE);
          return Behaviors.same();
        })
        .build());
    Map<PeerId, ActorRef<KvServer.Command>> servers = Map.of(A, leader);
    long expected = new java.util.SplittableRandom(7).nextLong();
    for (int run = 0; run < 2; run++) {
      ids.clear();
      try (AkkaKvClient c = new AkkaKvClient(kit.system(), servers,
          new AkkaKvClient.Settings(ATTEMPT, Duration.ofSeconds(10)), System::nanoTime, new java.util.SplittableRandom(7))) {
        assertEquals(KvReply.DONE, c.await(c.put("k", "v")));
      }
      // A retry (an attempt that timed out on a loaded machine) repeats the same id.
      assertEquals(java.util.List.of(expected), ids.stream().distinct().toList(), "run " + run);
    }
  }

  @Test
  void aDeadServerCostsOneAttemptTimeoutThenIsSkipped() {
    AtomicInteger toDead = new AtomicInteger();
    AtomicInteger toFollower = new AtomicInteger();
    AtomicInteger toLeader = new AtomicInteger();
    // a is dead (first in the rotation); b leads; c follows and knows no leader (an election just ended).
    Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
    servers.put(A, kit.spawn(server(toDead, e -> null)));
    servers.put(B, kit.spawn(server(toLeader, e -> KvReply.DONE)));
    servers.put(C, kit.spawn(server(toFollower, e -> new KvReply.WrongLeader(Optional.empty()))));
    try (AkkaKvClient c = client(servers)) {
      assertEquals(KvReply.DONE, c.await(c.put("k", "v0")));
      assertEquals(1, toDead.get(), "the first operation tried the dead server once");
      assertTrue(c.isSuspect(A), "and now suspects it");
      // Each operation now starts at c, which refuses without a hint: the rotation's next is a,
      // which must be skipped while suspect (else each operation waits an attempt timeout on it).
      for (int i = 1; i <= 20; i++) {
        c.leaderIs(C);
        assertEquals(KvReply.DONE, c.await(c.put("k", "v" + i)));
      }
      assertEquals(20, toFollower.get());
      assertEquals(21, toLeader.get(), "every operation reached the leader");
      assertEquals(1, toDead.get(), "the dead server was not asked again while suspect");
      assertEquals(B, c.leader());
    }
  }

  @Test
  void aLeaderToldWithLeaderIsIsTriedFirstAndAHintToASuspectIsIgnored() {
    AtomicInteger toA = new AtomicInteger();
    AtomicInteger toB = new AtomicInteger();
    AtomicInteger toC = new AtomicInteger();
    Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
    // a is dead; b still names a as the leader (stale: it has not noticed yet); c leads.
    servers.put(A, kit.spawn(server(toA, e -> null)));
    servers.put(B, kit.spawn(server(toB, e -> new KvReply.WrongLeader(Optional.of(A)))));
    servers.put(C, kit.spawn(server(toC, e -> KvReply.DONE)));
    try (AkkaKvClient c = client(servers)) {
      c.leaderIs(C);
      assertEquals(KvReply.DONE, c.await(c.put("k", "v")));
      assertEquals(0, toA.get() + toB.get(), "straight to the leader: one hop");
      assertEquals(1, toC.get());
      c.leaderIs(A); // a stale tip: costs one attempt timeout, then a is suspect
      assertEquals(KvReply.DONE, c.await(c.put("k", "v")));
      assertEquals(1, toA.get());
      c.leaderIs(B);
      assertEquals(KvReply.DONE, c.await(c.put("k", "v")));
      assertEquals(1, toA.get(), "b's hint names a, which is suspect: the client moved on to c");
      c.leaderIs(PeerId.of("z")); // not in the group: ignored
      assertEquals(C, c.leader());
    }
  }

  /**
   * A leader that missed one attempt (slow once, or one lost reply) is suspect; when every other
   * server then names it, the client must try it again after that round instead of refusing the
   * hint until the suspicion runs out (5 attempt timeouts of a leaderless wait for every write).
   */
  @Test
  void aSuspectThatEveryOtherServerNamesIsTriedAfterOneRound() {
    AtomicInteger toA = new AtomicInteger();
    AtomicInteger toB = new AtomicInteger();
    AtomicInteger toC = new AtomicInteger();
    Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
    servers.put(A, kit.spawn(server(toA, e -> toA.get() == 1 ? null : KvReply.DONE))); // leads; misses the first attempt
    servers.put(B, kit.spawn(server(toB, e -> new KvReply.WrongLeader(Optional.of(A)))));
    servers.put(C, kit.spawn(server(toC, e -> new KvReply.WrongLeader(Optional.of(A)))));
    try (AkkaKvClient c = client(servers)) {
      long t0 = System.nanoTime();
      assertEquals(KvReply.DONE, c.await(c.put("k", "v")));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(2, toA.get(), "the leader was asked again once b and c both named it");
      assertTrue(millis < ATTEMPT.toMillis() * 3, "took " + millis + " ms: the hint was refused while a was suspect");
    }
  }

  @Test
  void aLeaderlessGroupAnswersTimeoutAtTheDeadlineWithoutAStorm() {
    AtomicInteger asked = new AtomicInteger();
    Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
    for (PeerId p : new PeerId[] {A, B, C}) {
      servers.put(p, kit.spawn(server(asked, e -> new KvReply.WrongLeader(Optional.empty()))));
    }
    try (AkkaKvClient c = new AkkaKvClient(kit.system(), servers, new AkkaKvClient.Settings(ATTEMPT, Duration.ofSeconds(2)))) {
      assertEquals(KvReply.TIMEOUT, c.await(c.put("k", "v")));
      // Backoff after each full round, up to 200 ms (with jitter, at least 100 ms): 2 s allow a few dozen tries, not thousands.
      assertTrue(asked.get() < 80, "retries were backed off: " + asked.get() + " attempts in 2 s");
    }
  }
}
