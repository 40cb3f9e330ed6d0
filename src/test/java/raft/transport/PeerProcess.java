package raft.transport;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.message.LogEntry;
import raft.peer.Applied;
import raft.peer.LevelDbJournals;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import wire.Bytes;

/**
 * One Raft peer in its own JVM, for {@link RemotePeersProcessTest}: Artery TCP on 127.0.0.1, a
 * LevelDB journal (fsync on), and a line protocol on stdin/stdout. Protocol lines start with
 * {@code @@} (log lines may also reach stdout):
 * <pre>
 *   in:  propose TEXT | status | exit
 *   out: @@ready | @@accepted INDEX TERM | @@rejected RESULT | @@status ROLE TERM LEADER COMMIT LAST
 *        @@applied INDEX TEXT | @@snapshot INDEX
 * </pre>
 * Usage: {@code PeerProcess SELF PORT1,PORT2,PORT3 DATA_DIR} (peers are p1, p2, p3).
 */
public final class PeerProcess {
  private static final GroupId GROUP = GroupId.of("g1");
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    PeerId self = PeerId.of(args[0]);
    String[] ports = args[1].split(",");
    Path dataDir = Path.of(args[2]);
    List<PeerId> peers = new ArrayList<>();
    Map<PeerId, String> addresses = new HashMap<>();
    int myPort = 0;
    for (int i = 0; i < ports.length; i++) {
      PeerId p = PeerId.of("p" + (i + 1));
      peers.add(p);
      if (p.equals(self)) myPort = Integer.parseInt(ports[i]);
      else addresses.put(p, "akka://raft@127.0.0.1:" + ports[i]);
    }
    Config config = ConfigFactory.parseString(
            "akka.actor.provider = remote\n"
                + "akka.remote.artery.transport = tcp\n"
                + "akka.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                + "akka.remote.artery.canonical.port = " + myPort + "\n"
                + "akka.actor.serialize-messages = off\n"
                + "akka.loglevel = WARNING\n")
        .withFallback(LevelDbJournals.config(dataDir, List.of(self), true))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    PeerSettings settings = LevelDbJournals.on(PeerSettings.defaults(), self).withSeed(7);
    CompletableFuture<ActorRef<RaftPeer.Command>> peerRef = new CompletableFuture<>();
    // Children of the user guardian live at /user/<name>, where the other peers address them.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      RemotePeerTransport transport = new RemotePeerTransport(ctx.getSystem(), GROUP, addresses);
      ActorRef<Applied> applier = ctx.spawn(Behaviors.receiveMessage(m -> {
        if (m instanceof Applied.SnapshotInstalled s) {
          s.image().close();
          OUT.println("@@snapshot " + s.meta().index());
        }
        else if (m instanceof Applied.Committed c) {
          for (LogEntry e : c.entries()) OUT.println("@@applied " + e.index() + " " + e.command().utf8());
        }
        return Behaviors.same();
      }), "applier");
      peerRef.complete(ctx.spawn(
          RaftPeer.create(GROUP, self, peers, RaftConfig.defaults(), settings, transport, applier),
          RemotePeerTransport.actorName(GROUP, self)));
      return Behaviors.empty();
    }), "raft", config);
    ActorRef<RaftPeer.Command> peer = peerRef.get(30, TimeUnit.SECONDS);
    OUT.println("@@ready");

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Duration timeout = Duration.ofSeconds(5);
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      try {
        if (line.startsWith("propose ")) {
          Bytes cmd = Bytes.utf8(line.substring("propose ".length()));
          ProposeResult r = AskPattern.<RaftPeer.Command, ProposeResult>ask(peer, to -> new RaftPeer.Propose(cmd, to),
              timeout, system.scheduler()).toCompletableFuture().get();
          if (r instanceof ProposeResult.Accepted a) OUT.println("@@accepted " + a.index() + " " + a.term());
          else OUT.println("@@rejected " + r);
        } else if (line.equals("status")) {
          RaftStatus s = AskPattern.<RaftPeer.Command, RaftStatus>ask(peer, RaftPeer.GetStatus::new, timeout,
              system.scheduler()).toCompletableFuture().get();
          OUT.println("@@status " + s.role() + " " + s.term() + " " + s.leader().map(PeerId::id).orElse("-") + " "
              + s.commitIndex() + " " + s.lastIndex());
        } else if (line.equals("exit")) {
          break;
        }
      } catch (Exception e) {
        OUT.println("@@error " + e);
      }
    }
    system.terminate();
  }
}
