package hosting;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import kvraft.KvServer;
import kvraft.KvSettings;
import raft.RaftConfig;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReplicatedStateMachine;

/**
 * Hosts a real {@link KvServer} replica (its RaftPeer over the sharded transport), and tells
 * {@link RunningReplicas} when it starts and stops. The server is a child named
 * {@link KvServer#actorName}, so {@code AkkaKvClient.viaReceptionist} finds it.
 */
final class KvReplicaFactory implements ReplicaFactory {
  static final Duration TICK = Duration.ofMillis(50);
  private final RunningReplicas running;
  private final long seed;

  KvReplicaFactory(RunningReplicas running, long seed) {
    this.running = running;
    this.seed = seed;
  }

  @Override
  public Behavior<?> create(HostedReplica r) {
    ReplicaKey key = r.key();
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(key.group(), key.replica(),
        applied -> RaftPeer.create(key.group(), key.replica(), r.voters(), RaftConfig.defaults(),
            PeerSettings.defaults().withTickInterval(TICK).withSeed(seed), r.transport(), applied),
        r.peerStarted());
    return Behaviors.<Void>setup(ctx -> {
      running.started(key, r.node());
      ActorRef<KvServer.Command> server = ctx.spawn(KvServer.create(spec, KvSettings.defaults()),
          KvServer.actorName(key.group(), key.replica()));
      ctx.watch(server);
      return Behaviors.receive(Void.class)
          .onSignal(Terminated.class, t -> Behaviors.stopped())
          .onSignal(PostStop.class, s -> {
            running.stopped(key, r.node());
            return Behaviors.same();
          })
          .build();
    });
  }
}
