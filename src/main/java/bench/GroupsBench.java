package bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.SpawnProtocol;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mapreduce.ProcessCpu;
import node.NodeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.RaftStatus;
import raft.peer.Applied;
import raft.peer.PeerSettings;
import raft.peer.RaftPeer;
import raft.transport.RemotePeerTransport;

/**
 * {@code bench groups}: the idle cost of many Raft groups (issue 13). G groups of 3 replicas over 3
 * nodes, one replica of every group per node. The nodes are three ActorSystems in this one JVM,
 * talking over Artery TCP on 127.0.0.1 (every Raft message is serialized and crosses a socket, as
 * between processes), with the in-memory journal (an idle group writes nothing). Once every group
 * has a leader and a settling period has passed, the groups stay idle for a window, and the bench
 * reports each node's CPU: the CPU time of its own threads (its dispatchers, remoting, scheduler;
 * by thread name) plus a third of the rest of the process (GC, JIT, VM threads), over the window;
 * and the heap in use after a full GC, divided by three (one heap for the three nodes: not
 * separable). One JSON line.
 */
public final class GroupsBench {
  private static final Logger LOG = LoggerFactory.getLogger(GroupsBench.class);
  private static final List<PeerId> PEERS = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"));

  /**
   * @param quiesceTicks the groups' {@code RaftConfig.quiesceTicks}; 0: quiescence off
   */
  public record Options(int groups, int windowSeconds, int settleSeconds, int quiesceTicks, int createTimeoutSeconds) {
    public Options {
      if (groups < 1) throw new IllegalArgumentException("groups must be >= 1, was " + groups);
      if (windowSeconds < 1) throw new IllegalArgumentException("window must be >= 1 s, was " + windowSeconds);
      if (settleSeconds < 0) throw new IllegalArgumentException("settle must be >= 0 s, was " + settleSeconds);
      if (quiesceTicks < 0) throw new IllegalArgumentException("quiesce-ticks must be >= 0, was " + quiesceTicks);
    }
  }

  /** What one run measured. CPU as a fraction of one core; heap in MiB. */
  public record Result(int groups, int quiesceTicks, int leaders, double createSeconds, int windowSeconds,
      double[] cpuPerNode, double cpuShared, double heapUsedMib, double heapBaselineMib, double loadAverage) {

    public String toJson() {
      StringBuilder cpu = new StringBuilder();
      for (int i = 0; i < cpuPerNode.length; i++) cpu.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", cpuPerNode[i]));
      return String.format(Locale.ROOT,
          "{\"bench\":\"groups\",\"mode\":\"in-process (3 ActorSystems over Artery TCP, in-memory journal)\","
              + "\"groups\":%d,\"replicas_per_node\":%d,\"quiesce_ticks\":%d,\"groups_with_leader\":%d,"
              + "\"create_s\":%.1f,\"window_s\":%d,\"cpu_cores_per_node\":[%s],\"cpu_cores_shared_total\":%.4f,"
              + "\"heap_used_mib_total\":%.1f,\"heap_used_mib_per_node\":%.1f,\"heap_baseline_mib_total\":%.1f,"
              + "\"load_average\":%.2f}",
          groups, groups, quiesceTicks, leaders, createSeconds, windowSeconds, cpu, cpuShared, heapUsedMib,
          heapUsedMib / PEERS.size(), heapBaselineMib, loadAverage);
    }
  }

  private GroupsBench() {}

  public static Result run(Options o) throws IOException, InterruptedException {
    Path snapshots = Files.createTempDirectory("raftkv-bench-groups-");
    Map<PeerId, String> addresses = new HashMap<>();
    Map<PeerId, Integer> ports = new HashMap<>();
    for (PeerId p : PEERS) {
      int port = freePort();
      ports.put(p, port);
      addresses.put(p, "akka://" + systemName(p) + "@127.0.0.1:" + port);
    }
    Config base = NodeSettings.load(null);
    RaftConfig raft = NodeSettings.raftConfig(base).withQuiesceTicks(o.quiesceTicks()).validate();
    PeerSettings settings = NodeSettings.peerSettings(base);
    double heapBaseline = heapUsedMib();
    quietRaftLogs(); // 3,000 replicas electing at once would log a line each, several times
    List<ActorSystem<SpawnProtocol.Command>> systems = new ArrayList<>();
    try {
      for (PeerId p : PEERS) systems.add(ActorSystem.create(SpawnProtocol.create(), systemName(p), config(p, ports.get(p), snapshots)));
      long t0 = System.nanoTime();
      List<ActorRef<RaftPeer.Command>> first = new ArrayList<>();
      for (int g = 1; g <= o.groups(); g++) {
        GroupId group = GroupId.of("g" + g);
        for (int i = 0; i < PEERS.size(); i++) {
          PeerId self = PEERS.get(i);
          ActorSystem<SpawnProtocol.Command> system = systems.get(i);
          Map<PeerId, String> others = new HashMap<>(addresses);
          others.remove(self);
          ActorRef<Applied> applier = system.systemActorOf(Behaviors.ignore(), "applier-" + group.id(), Props.empty());
          // Under /user, where RemotePeerTransport addresses the peers of other nodes.
          ActorRef<RaftPeer.Command> ref = spawn(system, RaftPeer.create(group, self, PEERS, raft,
              settings.withSeed(g * 31L + i), new RemotePeerTransport(system, group, others), applier),
              RemotePeerTransport.actorName(group, self));
          if (i == 0) first.add(ref);
        }
      }
      int leaders = awaitLeaders(systems.get(0), first, Duration.ofSeconds(o.createTimeoutSeconds()));
      double createSeconds = (System.nanoTime() - t0) / 1e9;
      LOG.info("{} groups created, {} with a leader, in {} s; settling {} s", o.groups(), leaders,
          String.format(Locale.ROOT, "%.1f", createSeconds), o.settleSeconds());
      TimeUnit.SECONDS.sleep(o.settleSeconds()); // elections done, quiescence (if on) reached
      Map<String, Long> threads0 = cpuByNode();
      long process0 = ProcessCpu.millis();
      long w0 = System.nanoTime();
      TimeUnit.SECONDS.sleep(o.windowSeconds());
      double window = (System.nanoTime() - w0) / 1e9;
      Map<String, Long> threads1 = cpuByNode();
      long process1 = ProcessCpu.millis();
      double[] perNode = new double[PEERS.size()];
      double nodeSum = 0;
      for (int i = 0; i < PEERS.size(); i++) {
        String name = systemName(PEERS.get(i));
        double ms = (threads1.getOrDefault(name, 0L) - threads0.getOrDefault(name, 0L)) / 1e6;
        perNode[i] = ms / 1000 / window;
        nodeSum += ms;
      }
      double shared = Math.max(0, (process1 - process0) - nodeSum) / 1000 / window;
      for (int i = 0; i < perNode.length; i++) perNode[i] += shared / PEERS.size();
      double heap = heapUsedMib();
      return new Result(o.groups(), o.quiesceTicks(), leaders, createSeconds, o.windowSeconds(), perNode, shared, heap,
          heapBaseline, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    } finally {
      for (ActorSystem<?> s : systems) s.terminate();
      for (ActorSystem<?> s : systems) s.getWhenTerminated().toCompletableFuture().join();
      ResultFile.emptyDir(snapshots);
      Files.deleteIfExists(snapshots);
    }
  }

  private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system, akka.actor.typed.Behavior<T> behavior,
      String name) {
    return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system,
        replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo), Duration.ofSeconds(30),
        system.scheduler()).toCompletableFuture().join();
  }

  /** The core's and the peers' INFO lines (elections of every group) off for the run: WARN and above only. */
  private static void quietRaftLogs() {
    if (LoggerFactory.getLogger("raft") instanceof ch.qos.logback.classic.Logger l) l.setLevel(ch.qos.logback.classic.Level.WARN);
  }

  private static String systemName(PeerId p) {
    return "groups-" + p.id();
  }

  private static Config config(PeerId p, int port, Path snapshots) {
    return ConfigFactory.parseString(String.format(Locale.ROOT, """
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.actor.serialize-messages = off
            akka.remote.artery.canonical.hostname = "127.0.0.1"
            akka.remote.artery.canonical.port = %d
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.local"
            akka.persistence.snapshot-store.local.dir = "%s"
            """, port, snapshots.resolve(p.id()).toString().replace("\\", "/")))
        .withFallback(NodeSettings.load(null)).resolve();
  }

  /** Polls node 1's replica of every group until each knows a leader or the deadline passes; returns how many do. */
  private static int awaitLeaders(ActorSystem<?> system, List<ActorRef<RaftPeer.Command>> refs, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int withLeader = 0;
    while (System.nanoTime() < deadline) {
      List<CompletableFuture<RaftStatus>> asks = new ArrayList<>();
      for (ActorRef<RaftPeer.Command> ref : refs) {
        asks.add(AskPattern.<RaftPeer.Command, RaftStatus>ask(ref, RaftPeer.GetStatus::new, Duration.ofSeconds(10),
            system.scheduler()).toCompletableFuture());
      }
      withLeader = 0;
      for (CompletableFuture<RaftStatus> a : asks) {
        try {
          if (a.join().leader().isPresent()) withLeader++;
        } catch (RuntimeException timedOut) {
          // counted as without a leader; asked again next round
        }
      }
      LOG.info("{} of {} groups know a leader", withLeader, refs.size());
      if (withLeader == refs.size()) return withLeader;
      TimeUnit.SECONDS.sleep(1);
    }
    return withLeader;
  }

  /** CPU nanoseconds of the live threads of each node, by the thread-name prefix of its ActorSystem. */
  private static Map<String, Long> cpuByNode() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new HashMap<>();
    long[] ids = mx.getAllThreadIds();
    ThreadInfo[] infos = mx.getThreadInfo(ids);
    for (int k = 0; k < ids.length; k++) {
      if (infos[k] == null) continue;
      long cpu = mx.getThreadCpuTime(ids[k]);
      if (cpu < 0) continue;
      for (PeerId p : PEERS) {
        String name = systemName(p);
        if (infos[k].getThreadName().startsWith(name + "-")) out.merge(name, cpu, Long::sum);
      }
    }
    return out;
  }

  private static double heapUsedMib() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
