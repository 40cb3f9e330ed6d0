package node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.PeerId;
import raft.core.RaftStatus;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;
import raft.rsm.ReadConsistency;

/**
 * The one seam through which the CLI, {@code bench kv} and the HTTP API get a {@link KvClient}
 * (and {@code bin/raftkv admin} a {@link GroupAdmin}) for the KV group described by {@code raftkv.*} settings.
 */
public final class KvClients {
  private KvClients() {}

  /**
   * A client on {@code system} (which must have remoting on) for the group whose replicas
   * {@code raftkv.node.peers} lists, with the {@code raftkv.kv.client} timeouts.
   */
  public static KvClient connect(ActorSystem<?> system, Config cfg) {
    return KvNode.clientFor(system, NodeSettings.nodeSpec(cfg), NodeSettings.clientSettings(cfg));
  }

  /**
   * A client with an ActorSystem of its own (for one CLI run; remoting on an ephemeral port, not a
   * cluster member); closing it terminates the system. {@code cfg}: settings as loaded by
   * {@link NodeSettings#load(java.io.File)}.
   */
  public static KvClient open(Config cfg) {
    ActorSystem<Void> system = clientSystem(cfg);
    try {
      return new Owning(connect(system, cfg), system);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** A {@link GroupAdmin} of the group with an ActorSystem of its own, as {@link #open}; closing it terminates the system. */
  public static GroupAdmin openAdmin(Config cfg) {
    ActorSystem<Void> system = clientSystem(cfg);
    try {
      NodeSpec spec = NodeSettings.nodeSpec(cfg);
      GroupAdmin admin = KvNode.adminFor(system, spec, NodeSettings.clientSettings(cfg));
      return new OwningAdmin(admin, system);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** Remoting on an ephemeral port, not a cluster member. */
  private static ActorSystem<Void> clientSystem(Config cfg) {
    // Replicas on loopback only see loopback clients; otherwise let Akka pick this host's address.
    boolean loopback = NodeSettings.nodeSpec(cfg).peers().values().stream()
        .allMatch(a -> a.startsWith("127.") || a.startsWith("localhost:"));
    Config clientSystem = ConfigFactory.parseString(
        "akka.actor.provider = remote\nakka.remote.artery.canonical.port = 0\n"
            + "akka.remote.artery.canonical.hostname = \"" + (loopback ? "127.0.0.1" : "<getHostAddress>") + "\"\n"
            + "akka.loglevel = ERROR\nakka.remote.warn-about-direct-use = off")
        .withFallback(cfg);
    return ActorSystem.create(Behaviors.empty(), "raftkv-client", clientSystem);
  }

  private static void terminate(ActorSystem<Void> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Exiting anyway: the JVM ends with the CLI command.
    }
  }

  private record OwningAdmin(GroupAdmin admin, ActorSystem<Void> system) implements GroupAdmin {
    @Override
    public CompletionStage<GroupMembers> members() {
      return admin.members();
    }

    @Override
    public CompletionStage<AdminReply> change(MembershipChange change) {
      return admin.change(change);
    }

    @Override
    public CompletionStage<AdminReply> transferLeadership(Optional<PeerId> target) {
      return admin.transferLeadership(target);
    }

    @Override
    public void close() {
      try {
        admin.close();
      } finally {
        terminate(system);
      }
    }
  }

  private record Owning(KvClient client, ActorSystem<Void> system) implements KvClient {
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
      try {
        client.close();
      } finally {
        terminate(system);
      }
    }
  }
}
