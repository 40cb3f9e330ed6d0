package node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kvraft.AkkaKvClient;
import kvraft.KvReply;
import kvraft.KvServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;

/**
 * A node's client learns the leader from its local replica's status: requests go to the local
 * replica while it leads (no hop), straight to the leader it names otherwise (one hop), never by
 * trying the other servers in turn.
 */
class LeaderWatchTest {
  private static final PeerId A = PeerId.of("a");
  private static final PeerId B = PeerId.of("b");
  private static final PeerId C = PeerId.of("c");
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Answers writes with Done when it leads (per {@code leader}), else WrongLeader naming it; counts writes. */
  private static Behavior<KvServer.Command> replica(PeerId self, AtomicReference<PeerId> leader, AtomicInteger writes) {
    return Behaviors.receive(KvServer.Command.class)
        .onMessage(KvServer.GetStatus.class, g -> {
          PeerId l = leader.get();
          g.replyTo().tell(new RaftStatus(self, l.equals(self) ? RaftRole.LEADER : RaftRole.FOLLOWER, 1,
              Optional.of(l), 0, 0, 0, 0));
          return Behaviors.same();
        })
        .onMessage(KvServer.Execute.class, e -> {
          writes.incrementAndGet();
          e.replyTo().tell(leader.get().equals(self) ? KvReply.DONE : new KvReply.WrongLeader(Optional.of(leader.get())));
          return Behaviors.same();
        })
        .build();
  }

  private static void awaitLeader(LeaderWatch w, PeerId expected) throws InterruptedException {
    for (int i = 0; i < 100 && !w.leader().equals(expected); i++) Thread.sleep(50);
    assertEquals(expected, w.leader());
  }

  @Test
  void requestsGoToTheLeaderTheLocalReplicaNames() throws Exception {
    AtomicReference<PeerId> leader = new AtomicReference<>(C);
    Map<PeerId, AtomicInteger> writes = Map.of(A, new AtomicInteger(), B, new AtomicInteger(), C, new AtomicInteger());
    Map<PeerId, ActorRef<KvServer.Command>> refs = new LinkedHashMap<>();
    for (PeerId p : new PeerId[] {A, B, C}) refs.put(p, kit.spawn(replica(p, leader, writes.get(p))));
    AkkaKvClient client = new AkkaKvClient(kit.system(), refs,
        new AkkaKvClient.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10)));
    // This node hosts b; a comes first in the rotation but is never asked.
    try (LeaderWatch w = new LeaderWatch(kit.system(), refs.get(B), client)) {
      awaitLeader(w, C);
      for (int i = 0; i < 10; i++) assertEquals(KvReply.DONE, w.execute(new kvraft.KvCommand.Put("k", "v")).toCompletableFuture().get());
      assertEquals(10, writes.get(C).get(), "one hop, to the leader");
      assertEquals(0, writes.get(A).get() + writes.get(B).get());

      leader.set(B); // the local replica now leads: no hop at all
      awaitLeader(w, B);
      for (int i = 0; i < 10; i++) assertEquals(KvReply.DONE, w.execute(new kvraft.KvCommand.Put("k", "v")).toCompletableFuture().get());
      assertEquals(10, writes.get(B).get());
      assertEquals(0, writes.get(A).get());
    }
  }
}
