package raft.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.SignalHandler;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;
import raft.GroupId;
import raft.PeerId;

/**
 * An actor wrapped by {@link ReplicaMdc} has groupId and peerId in the MDC for every message it
 * handles, also those that reach it as another class than its protocol. An event-sourced actor
 * (as RaftPeer is) recovers and runs its {@code thenRun} callbacks on the journal's replies,
 * which are not Commands: {@code Behaviors.withMdc(Command.class, ...)} lets them through bare.
 */
class ReplicaMdcTest {
  private static final String LOGGER = "raft.logging.ReplicaMdcTest.actor";
  private static final AtomicInteger IDS = new AtomicInteger();
  private static ActorTestKit kit;

  interface Command {}

  record Save(String text, ActorRef<String> replyTo) implements Command {}

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(PersistenceTestKitPlugin.config());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Logs "recovered" (a signal, on a journal reply), "command x" and "persisted x" (run on the journal's write reply). */
  private static final class Saver extends EventSourcedBehavior<Command, String, Integer> {
    private final Logger log;

    Saver(Logger log) {
      super(PersistenceId.ofUniqueId("saver-" + IDS.incrementAndGet()));
      this.log = log;
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Command, String, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Save.class, s -> {
        log.info("command {}", s.text());
        return Effect().persist(s.text()).thenRun(state -> {
          log.info("persisted {}", s.text());
          s.replyTo().tell("persisted");
        });
      }).build();
    }

    @Override
    public EventHandler<Integer, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> state + 1);
    }

    @Override
    public SignalHandler<Integer> signalHandler() {
      return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> log.info("recovered")).build();
    }
  }

  /**
   * The MDC of each line of a Saver built by {@code wrap} that saves twice. The first Save may
   * arrive during recovery and then is handled on a journal reply; the second, sent after the
   * first is persisted, is handled as itself.
   */
  private static Map<String, Map<String, String>> mdcOfEachLine(Function<Behavior<Command>, Behavior<Command>> wrap) {
    try (CapturedLines lines = new CapturedLines(LOGGER, Level.INFO)) {
      ActorRef<Command> actor = kit.spawn(wrap.apply(new Saver(lines.logger())));
      TestProbe<String> probe = kit.createTestProbe();
      actor.tell(new Save("1", probe.getRef()));
      probe.expectMessage("persisted");
      actor.tell(new Save("2", probe.getRef()));
      probe.expectMessage("persisted");
      kit.stop(actor);
      Map<String, Map<String, String>> byLine = new HashMap<>();
      for (ILoggingEvent e : lines.events()) byLine.put(e.getFormattedMessage(), e.getMDCPropertyMap());
      assertEquals(Set.of("recovered", "command 1", "persisted 1", "command 2", "persisted 2"), byLine.keySet());
      return byLine;
    }
  }

  @Test
  void everyMessageHandledHasTheReplicaInTheMdc() {
    Map<String, Map<String, String>> mdc = mdcOfEachLine(b -> ReplicaMdc.wrap(GroupId.of("g1"), PeerId.of("p2"), b));
    for (String line : mdc.keySet()) {
      assertEquals("g1", mdc.get(line).get(ReplicaMdc.GROUP), line);
      assertEquals("p2", mdc.get(line).get(ReplicaMdc.PEER), line);
      assertNull(mdc.get(line).get(ReplicaMdc.TERM), "the term is the core's, set per line: " + line);
    }
  }

  /** Why ReplicaMdc intercepts Object: the protocol's class misses the journal's replies. */
  @Test
  void withMdcOfTheProtocolClassMissesTheJournalReplies() {
    Map<String, Map<String, String>> mdc = mdcOfEachLine(
        b -> Behaviors.withMdc(Command.class, ReplicaMdc.of(GroupId.of("g1"), PeerId.of("p2")), b));
    assertEquals("g1", mdc.get("command 2").get(ReplicaMdc.GROUP));
    assertNull(mdc.get("persisted 2").get(ReplicaMdc.GROUP), "Akka changed: " + mdc.get("persisted 2"));
    assertNull(mdc.get("recovered").get(ReplicaMdc.GROUP), "Akka changed: " + mdc.get("recovered"));
  }

  /**
   * The thread's MDC is as it was after the message: other keys kept, the two keys put back (an
   * outer replica's, when one wrapped actor runs inside another's message) or removed.
   */
  @Test
  void theThreadsMdcIsAsBeforeAfterTheMessage() {
    List<Map<String, String>> seen = new ArrayList<>();
    BehaviorTestKit<String> actor = BehaviorTestKit.create(ReplicaMdc.wrap(GroupId.of("g1"), PeerId.of("p2"),
        Behaviors.receiveMessage(m -> {
          seen.add(MDC.getCopyOfContextMap());
          return Behaviors.same();
        })));
    MDC.clear();
    try {
      MDC.put("other", "x");
      actor.run("m1");
      assertEquals(Map.of("other", "x", ReplicaMdc.GROUP, "g1", ReplicaMdc.PEER, "p2"), seen.get(0));
      assertEquals(Map.of("other", "x"), MDC.getCopyOfContextMap(), "removed afterwards, the rest kept");
      MDC.put(ReplicaMdc.GROUP, "outer-group");
      MDC.put(ReplicaMdc.PEER, "outer-peer");
      actor.run("m2");
      assertEquals("g1", seen.get(1).get(ReplicaMdc.GROUP));
      assertEquals(Map.of("other", "x", ReplicaMdc.GROUP, "outer-group", ReplicaMdc.PEER, "outer-peer"),
          MDC.getCopyOfContextMap(), "the outer values put back");
    } finally {
      MDC.clear();
    }
  }

  @Test
  void theMdcMapNamesGroupAndPeer() {
    assertEquals(Map.of("groupId", "g1", "peerId", "p2"), ReplicaMdc.of(GroupId.of("g1"), PeerId.of("p2")));
  }
}
