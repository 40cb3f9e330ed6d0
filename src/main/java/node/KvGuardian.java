package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import kvraft.KvServer;
import kvraft.KvSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.PeerId;
import raft.RaftConfig;
import raft.peer.LevelDbJournals;
import raft.peer.PeerMetrics;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;
import raft.transport.PeerTransport;
import raft.transport.RemotePeerTransport;

/**
 * The user guardian of a KV process: spawns the replicas the {@link NodeSpec} says this process
 * hosts, each at {@code /user/}{@link KvServer#actorName} on its own LevelDB journal. In local mode
 * the replicas talk over the in-JVM transport; otherwise over remoting at the configured addresses.
 * If a replica stops (its journal could not be replayed), the guardian stops and the process ends.
 * {@code started} completes with the local replicas once they are spawned.
 */
final class KvGuardian {
  private static final Logger LOG = LoggerFactory.getLogger(KvGuardian.class);

  private KvGuardian() {}

  static Behavior<Void> create(NodeSpec spec, RaftConfig raft, PeerSettings peerSettings, KvSettings kv,
      PeerMetrics.Factory metrics, CompletableFuture<Map<PeerId, ActorRef<KvServer.Command>>> started) {
    return Behaviors.setup(ctx -> {
      PeerTransport transport = transport(ctx, spec);
      Map<PeerId, ActorRef<KvServer.Command>> servers = new LinkedHashMap<>();
      for (PeerId p : spec.hosted()) {
        PeerSettings settings = LevelDbJournals.on(peerSettings, p);
        PeerMetrics peerMetrics = metrics.of(spec.group(), p);
        ReplicatedStateMachine.PeerSpec peer = new ReplicatedStateMachine.PeerSpec(spec.group(), p,
            applied -> RaftPeer.create(spec.group(), p, spec.bootstrap(), raft, settings, transport, applied,
                peerMetrics),
            ref -> {
              if (transport instanceof LocalPeerTransport local) local.register(p, ref);
            });
        ActorRef<KvServer.Command> server = ctx.spawn(KvServer.create(peer, kv), KvServer.actorName(spec.group(), p));
        ctx.watch(server);
        servers.put(p, server);
      }
      started.complete(Map.copyOf(servers));
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, t -> {
            LOG.error("replica {} stopped; stopping this node", t.getRef().path().name());
            return Behaviors.stopped();
          })
          .build();
    });
  }

  private static PeerTransport transport(ActorContext<Void> ctx, NodeSpec spec) {
    if (spec.isLocal()) return new LocalPeerTransport();
    Map<PeerId, String> others = new LinkedHashMap<>();
    for (PeerId p : spec.voters()) if (!p.equals(spec.self())) others.put(p, spec.address(p));
    return new RemotePeerTransport(ctx.getSystem(), others, p -> KvServer.peerPath(spec.group(), p));
  }
}
