package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.message.AppendEntries;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import raft.peer.RaftPeer;
import wire.Bytes;

/**
 * The largest Raft message the settings allow crosses Artery: an append of max-bytes-per-append
 * (1 MiB) of entries. Artery's default frame is 256 KiB and drops anything bigger with only an
 * ERROR line, which left a restarted replica unable to catch up (found by KvNodesProcessTest).
 */
class RemoteFrameSizeTest {
  private static final GroupId GROUP = GroupId.of("frames");
  private static final PeerId SENDER = PeerId.of("p1");
  private static final PeerId RECEIVER = PeerId.of("p2");
  private static ActorTestKit sending;
  private static ActorTestKit receiving;

  private static Config remote() {
    return ConfigFactory.parseString("""
        akka.actor.provider = remote
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        akka.remote.artery.canonical.port = 0
        akka.actor.serialize-messages = off
        """).withFallback(ConfigFactory.load());
  }

  @BeforeAll
  static void start() {
    sending = ActorTestKit.create("sender", remote());
    receiving = ActorTestKit.create("receiver", remote());
  }

  @AfterAll
  static void stop() {
    sending.shutdownTestKit();
    receiving.shutdownTestKit();
  }

  @Test
  void aOneMebibyteAppendArrives() {
    TestProbe<RaftMessage> probe = receiving.createTestProbe();
    receiving.spawn(Behaviors.receiveMessage(c -> {
      if (c instanceof RaftPeer.Deliver d) probe.ref().tell(d.message());
      return Behaviors.same();
    }), RemotePeerTransport.actorName(GROUP, RECEIVER));
    ActorSystem<?> to = receiving.system();
    String address = to.address().toString();
    RemotePeerTransport transport = new RemotePeerTransport(sending.system(), GROUP, Map.of(RECEIVER, address));

    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= 256; i++) entries.add(new LogEntry(i, 1, Bytes.wrap(new byte[4096]))); // 1 MiB
    AppendEntries big = new AppendEntries(1, SENDER, RECEIVER, 0, 0, entries, 0);
    transport.send(big);

    RaftMessage got = probe.expectMessageClass(AppendEntries.class, Duration.ofSeconds(10));
    assertEquals(256, ((AppendEntries) got).entries().size());
  }
}
