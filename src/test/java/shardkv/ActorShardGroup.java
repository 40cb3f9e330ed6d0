package shardkv;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.rsm.ReadConsistency;
import raft.rsm.ReplicatedStateMachine;
import raft.transport.LocalPeerTransport;
import shardctrl.ShardCtrlClient;

/**
 * Three shipped {@link ShardKvServer}s of one shard group in the test's ActorSystem, on their own
 * local transport and the in-memory journal, every message serialized (application-test.conf).
 * Real time with a 25 ms tick. Stopping a server is a crash: its journal stays, and starting it
 * again recovers from it.
 */
final class ActorShardGroup {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final Duration TICK = Duration.ofMillis(25);

  final int gid;
  final GroupId group;
  final List<PeerId> ids = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));
  private final ActorTestKit kit;
  private final ShardKvSettings settings;
  private final ShardCtrlClient controller;
  private final long seed;
  private final RaftConfig raft;
  private ShardKvMetrics.Factory metrics = ShardKvMetrics.Factory.NOOP;
  private final LocalPeerTransport transport = new LocalPeerTransport();
  private final Map<PeerId, ActorRef<ShardKvServer.Command>> servers = new LinkedHashMap<>();
  /** Each running server's Raft peer, so a test can cut it off from its group and let it back. */
  private final Map<PeerId, ActorRef<RaftPeer.Command>> peers = new java.util.concurrent.ConcurrentHashMap<>();
  private final Function<String, ActorRef<ShardKvServer.Command>> resolver;

  ActorShardGroup(ActorTestKit kit, String prefix, ShardKvSettings settings, ShardCtrlClient controller, long seed) {
    this(kit, prefix, settings, controller, seed, RaftConfig.defaults());
  }

  /** With Raft settings of the test's own (e.g. lease reads on). */
  ActorShardGroup(ActorTestKit kit, String prefix, ShardKvSettings settings, ShardCtrlClient controller, long seed,
      RaftConfig raft) {
    this.kit = kit;
    this.raft = raft;
    this.gid = settings.gid();
    this.group = GroupId.of(prefix + "-g" + settings.gid());
    this.settings = settings;
    this.controller = controller;
    this.seed = seed;
    this.resolver = ShardKvServer.resolver(kit.system());
  }

  /** Servers started from now on report their shards in migration to {@code metrics}. */
  ActorShardGroup reportingTo(ShardKvMetrics.Factory metrics) {
    this.metrics = metrics;
    return this;
  }

  ActorShardGroup startAll() {
    ids.forEach(this::start);
    return this;
  }

  void start(PeerId p) {
    PeerSettings ps = PeerSettings.defaults().withTickInterval(TICK).withSeed(seed + p.hashCode());
    ReplicatedStateMachine.PeerSpec spec = new ReplicatedStateMachine.PeerSpec(group, p,
        applied -> RaftPeer.create(group, p, ids, raft, ps, transport, applied),
        ref -> {
          peers.put(p, ref);
          transport.register(p, ref);
        });
    servers.put(p, kit.spawn(ShardKvServer.create(spec, settings, controller, resolver, metrics.shardMetrics(group, p)), ShardKvServer.actorName(group, p)));
  }

  /**
   * Cuts server {@code p}'s peer off from its group: nothing reaches it, so what it sends goes
   * unanswered. The server itself still takes calls and answers from what it has applied.
   */
  void isolate(PeerId p) {
    transport.unregister(p);
  }

  /** Ends {@link #isolate}. */
  void reconnect(PeerId p) {
    transport.register(p, peers.get(p));
  }

  /** Stops the server and its peer, as a crash would. */
  void stop(PeerId p) {
    peers.remove(p);
    transport.unregister(p);
    kit.stop(servers.remove(p), TIMEOUT);
  }

  void stopAll() {
    for (PeerId p : List.copyOf(servers.keySet())) stop(p);
  }

  /** The names the controller's Join gets: the servers' refs in serialization format, stable across restarts. */
  List<String> names() {
    return ids.stream().map(p -> kit.system().address() + "/user/" + ShardKvServer.actorName(group, p)).toList();
  }

  ActorRef<ShardKvServer.Command> server(PeerId p) {
    return servers.get(p);
  }

  RaftStatus status(PeerId p) {
    TestProbe<RaftStatus> probe = kit.createTestProbe();
    servers.get(p).tell(new ShardKvServer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, TIMEOUT);
  }

  /** Waits until every running server has applied configuration {@code num} and owes nothing for it. */
  void awaitSettled(long num) {
    TestProbe<ShardKvServer.Shards> probe = kit.createTestProbe();
    probe.awaitAssert(TIMEOUT, Duration.ofMillis(100), () -> {
      for (ActorRef<ShardKvServer.Command> s : servers.values()) {
        s.tell(new ShardKvServer.GetShards(probe.ref()));
        ShardKvServer.Shards shards = probe.expectMessageClass(ShardKvServer.Shards.class, TIMEOUT);
        org.junit.jupiter.api.Assertions.assertTrue(shards.configNum() >= num && shards.settled(),
            () -> "group " + gid + " at " + shards + ", want config " + num + " settled");
      }
      return null;
    });
  }

  /** The highest configuration any running server of the group has applied, now. */
  long appliedConfig() {
    TestProbe<ShardKvServer.Shards> probe = kit.createTestProbe();
    long max = -1;
    for (ActorRef<ShardKvServer.Command> s : servers.values()) {
      s.tell(new ShardKvServer.GetShards(probe.ref()));
      max = Math.max(max, probe.expectMessageClass(ShardKvServer.Shards.class, TIMEOUT).configNum());
    }
    return max;
  }

  /** Waits until some server of the group has applied configuration {@code num}; how long that took. */
  Duration awaitLearnt(long num) {
    long start = System.nanoTime();
    TestProbe<ShardKvServer.Shards> probe = kit.createTestProbe();
    probe.awaitAssert(TIMEOUT, Duration.ofMillis(10), () -> {
      boolean learnt = false;
      for (ActorRef<ShardKvServer.Command> s : servers.values()) {
        s.tell(new ShardKvServer.GetShards(probe.ref()));
        learnt |= probe.expectMessageClass(ShardKvServer.Shards.class, TIMEOUT).configNum() >= num;
      }
      org.junit.jupiter.api.Assertions.assertTrue(learnt, () -> "group " + gid + " has not applied config " + num);
      return null;
    });
    return Duration.ofNanos(System.nanoTime() - start);
  }

  PeerId awaitLeader() {
    return testkit.AgreedLeader.await(kit, TIMEOUT, () -> servers.keySet().stream().map(this::status).toList());
  }

  ShardKvReply execute(PeerId p, ShardKvCommand.ClientOp op) {
    return execute(p, op, ReadConsistency.LINEARIZABLE);
  }

  /** {@code op} at server {@code p}, a read at {@code consistency}. */
  ShardKvReply execute(PeerId p, ShardKvCommand.ClientOp op, ReadConsistency consistency) {
    TestProbe<ShardKvReply> probe = kit.createTestProbe();
    servers.get(p).tell(new ShardKvServer.Execute(op, consistency, probe.ref()));
    return probe.expectMessageClass(ShardKvReply.class, TIMEOUT);
  }

  /** A client's reply, waited for a little longer than the client's own deadline {@code wait}. */
  static kvraft.KvReply reply(java.util.concurrent.CompletionStage<kvraft.KvReply> stage, Duration wait) {
    try {
      return stage.toCompletableFuture().get(wait.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no reply: " + e, e);
    }
  }
}
