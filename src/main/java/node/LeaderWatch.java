package node;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import kvraft.AkkaKvClient;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvServer;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;

/**
 * The client a node's front ends use (HTTP, the leader line): an {@link AkkaKvClient} whose idea of
 * the leader comes from the replica in this process, which hears every role change of its Raft
 * peer, instead of from trial and error. Every {@link #PERIOD} it asks the local replica (an
 * in-JVM message, no network) for its status and tells the client the leader it names: when this
 * node leads, requests go to the local replica with no network hop; otherwise straight to the
 * leader, one hop. Closing it stops the watch and the client.
 */
final class LeaderWatch implements KvClient {
  /** How often the local replica is asked who leads: well below an election timeout. */
  static final Duration PERIOD = Duration.ofMillis(100);

  private final AkkaKvClient client;
  private final Cancellable watch;

  LeaderWatch(ActorSystem<?> system, ActorRef<KvServer.Command> local, AkkaKvClient client) {
    this.client = client;
    this.watch = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, PERIOD,
        () -> AskPattern.<KvServer.Command, RaftStatus>ask(local, KvServer.GetStatus::new, PERIOD, system.scheduler())
            .thenAccept(s -> s.leader().ifPresent(client::leaderIs)),
        system.executionContext());
  }

  /** The leader the client sends to first. */
  PeerId leader() {
    return client.leader();
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand command) {
    return client.execute(command);
  }

  @Override
  public CompletionStage<KvReply> execute(KvCommand command, ReadConsistency consistency) {
    return client.execute(command, consistency);
  }

  @Override
  public CompletionStage<List<RaftStatus>> status() {
    return client.status();
  }

  @Override
  public void close() {
    watch.cancel();
    client.close();
  }
}
