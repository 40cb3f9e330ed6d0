package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.rsm.GroupClient;

/**
 * A controller client given only the replicas of the config file still reaches a leader that a
 * replica move created under a new id: the hint names it, {@code resolveHintsWith} makes it a ref.
 * Without the resolver the hint is ignored and the operation times out.
 */
class CtrlClientHintsTest {
  private static final PeerId A = PeerId.of("n1");
  private static final PeerId NEW = PeerId.of("n4");
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Answers every Execute with {@code reply}, counting them. */
  private static Behavior<ShardCtrlServer.Command> answering(CtrlReply reply, AtomicInteger count) {
    return Behaviors.receive(ShardCtrlServer.Command.class)
        .onMessage(ShardCtrlServer.Execute.class, e -> {
          count.incrementAndGet();
          e.replyTo().tell(reply);
          return Behaviors.same();
        })
        .build();
  }

  @Test
  void aHintToAReplicaTheClientWasNotGivenIsFollowedThroughTheResolver() {
    AtomicInteger atOld = new AtomicInteger();
    AtomicInteger atNew = new AtomicInteger();
    ShardConfig config = ShardConfig.initial(10);
    ActorRef<ShardCtrlServer.Command> old = kit.spawn(answering(new CtrlReply.WrongLeader(Optional.of(NEW)), atOld));
    ActorRef<ShardCtrlServer.Command> moved = kit.spawn(answering(new CtrlReply.Config(config), atNew));
    GroupClient.Settings settings = new GroupClient.Settings(Duration.ofMillis(300), Duration.ofSeconds(2));

    try (AkkaShardCtrlClient without = new AkkaShardCtrlClient(kit.system(), Map.of(A, old), settings)) {
      assertEquals(CtrlReply.TIMEOUT, without.await(without.query(-1)), "an unknown hinted leader is not tried");
      assertEquals(0, atNew.get());
    }
    try (AkkaShardCtrlClient with = new AkkaShardCtrlClient(kit.system(), Map.of(A, old), settings)
        .resolveHintsWith(p -> p.equals(NEW) ? moved : null)) {
      assertEquals(new CtrlReply.Config(config), with.await(with.query(-1)));
      assertEquals(NEW, with.leader(), "the new replica is the cached leader now");
      int before = atOld.get();
      assertEquals(new CtrlReply.Config(config), with.await(with.query(-1)));
      assertEquals(before, atOld.get(), "the next call goes to it first");
    }
  }
}
