package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import raft.GroupId;
import raft.PeerId;
import raft.RaftConfig;
import raft.core.ProposeResult;
import raft.core.RaftStatus;
import raft.transport.LocalPeerTransport;
import raft.transport.PeerTransport;
import wire.Bytes;

/**
 * A Raft group of actor peers in one ActorSystem, on the local transport, driven by ManualTime:
 * time only passes when the test says so, so elections happen when the test ticks and never
 * because a loaded machine paused a thread.
 */
final class PeerGroup {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final ActorTestKit kit;
  final ManualTime time;
  final GroupId group;
  final List<PeerId> ids;
  final RaftConfig cfg;
  private final Function<PeerId, PeerSettings> settings;
  final LocalPeerTransport transport = new LocalPeerTransport();
  /** What the peers send through: the local transport, or a test's wrapper around it. */
  private PeerTransport outbound = transport;
  private final Map<PeerId, ActorRef<RaftPeer.Command>> refs = new HashMap<>();
  private final Map<PeerId, ActorRef<Applied>> appliers = new HashMap<>();
  private final Map<PeerId, AppliedLog> logs = new HashMap<>();
  /** What each peer reported to its PeerMetrics, over all its starts. */
  private final Map<PeerId, CountingPeerMetrics> metrics = new HashMap<>();

  PeerGroup(ActorTestKit kit, ManualTime time, GroupId group, int size, RaftConfig cfg,
      Function<PeerId, PeerSettings> settings) {
    this.kit = kit;
    this.time = time;
    this.group = group;
    List<PeerId> list = new ArrayList<>();
    for (int i = 1; i <= size; i++) list.add(PeerId.of("p" + i));
    this.ids = List.copyOf(list);
    this.cfg = cfg;
    this.settings = settings;
  }

  /** Peers started from now on send through {@code wrap(transport)} (e.g. to hold a send). */
  PeerGroup sendingThrough(Function<PeerTransport, PeerTransport> wrap) {
    outbound = wrap.apply(transport);
    return this;
  }

  PeerGroup startAll() {
    ids.forEach(this::start);
    return this;
  }

  /** Spawns the peer (again): it recovers from its journal; its service starts empty. */
  void start(PeerId p) {
    AppliedLog log = new AppliedLog();
    ActorRef<Applied> applier = kit.spawn(log.behavior());
    ActorRef<RaftPeer.Command> ref =
        kit.spawn(RaftPeer.create(group, p, ids, cfg, settings.apply(p), outbound, applier, metrics(p)));
    logs.put(p, log);
    appliers.put(p, applier);
    refs.put(p, ref);
    transport.register(p, ref);
  }

  /** Stops the peer and its service, as a crash would (the journal stays). */
  void stop(PeerId p) {
    transport.unregister(p);
    kit.stop(refs.remove(p), TIMEOUT);
    kit.stop(appliers.remove(p), TIMEOUT);
  }

  void stopAll() {
    for (PeerId p : List.copyOf(refs.keySet())) stop(p);
  }

  ActorRef<RaftPeer.Command> ref(PeerId p) {
    return refs.get(p);
  }

  CountingPeerMetrics metrics(PeerId p) {
    return metrics.computeIfAbsent(p, q -> new CountingPeerMetrics());
  }

  AppliedLog log(PeerId p) {
    return logs.get(p);
  }

  List<PeerId> running() {
    return ids.stream().filter(refs::containsKey).toList();
  }

  void tick() {
    time.timePasses(settings.apply(ids.get(0)).tickInterval());
  }

  RaftStatus status(PeerId p) {
    TestProbe<RaftStatus> probe = kit.createTestProbe();
    refs.get(p).tell(new RaftPeer.GetStatus(probe.ref()));
    return probe.expectMessageClass(RaftStatus.class, TIMEOUT);
  }

  /**
   * Ticks until the running peers agree on one leader (each running peer sees it in the
   * leader's term), at most a bounded number of ticks.
   */
  PeerId awaitLeader() {
    int maxTicks = cfg.electionTicks() * 20;
    for (int i = 0; i < maxTicks; i++) {
      tick();
      Optional<PeerId> leader = agreedLeader();
      if (leader.isPresent()) return leader.get();
    }
    throw new AssertionError("no agreed leader after " + maxTicks + " ticks: "
        + running().stream().map(this::status).toList());
  }

  private Optional<PeerId> agreedLeader() {
    List<RaftStatus> statuses = running().stream().map(this::status).toList();
    Optional<RaftStatus> leader = statuses.stream().filter(RaftStatus::isLeader).findFirst();
    if (leader.isEmpty()) return Optional.empty();
    long term = leader.get().term();
    boolean agreed = statuses.stream()
        .allMatch(s -> s.term() == term && s.leader().equals(Optional.of(leader.get().id())));
    return agreed ? Optional.of(leader.get().id()) : Optional.empty();
  }

  PeerId aFollower(PeerId leader) {
    return running().stream().filter(p -> !p.equals(leader)).findFirst().orElseThrow();
  }

  ProposeResult propose(PeerId p, String command) {
    TestProbe<ProposeResult> probe = kit.createTestProbe();
    refs.get(p).tell(new RaftPeer.Propose(Bytes.utf8(command), probe.ref()));
    return probe.expectMessageClass(ProposeResult.class, TIMEOUT);
  }

  ReadIndexReply readIndex(PeerId p) {
    return read(p, false);
  }

  /** A lease read ({@code RaftPeer.ReadIndex(lease = true)}). */
  ReadIndexReply leaseRead(PeerId p) {
    return read(p, true);
  }

  private ReadIndexReply read(PeerId p, boolean lease) {
    TestProbe<ReadIndexReply> probe = kit.createTestProbe();
    refs.get(p).tell(new RaftPeer.ReadIndex(lease, probe.ref()));
    return probe.expectMessageClass(ReadIndexReply.class, TIMEOUT);
  }

  ProposeResult.Accepted proposeAccepted(PeerId p, String command) {
    ProposeResult r = propose(p, command);
    assertTrue(r instanceof ProposeResult.Accepted, () -> "propose " + command + " to " + p + ": " + r);
    return (ProposeResult.Accepted) r;
  }

  /**
   * Waits until peer p's service has applied up to index. Followers learn the commit index from
   * the leader's next message, so this ticks (heartbeats) between bounded real-time waits.
   */
  void awaitApplied(PeerId p, long index) {
    TestProbe<Object> probe = kit.createTestProbe();
    for (int i = 0; logs.get(p).lastIndex() < index && i < 50; i++) {
      try {
        probe.awaitAssert(Duration.ofMillis(200), Duration.ofMillis(10), () -> {
          assertTrue(logs.get(p).lastIndex() >= index);
          return null;
        });
      } catch (AssertionError notYet) {
        tick();
      }
    }
    assertTrue(logs.get(p).lastIndex() >= index, () -> p + " applied " + logs.get(p).lastIndex() + ", want " + index);
    assertEquals(List.of(), logs.get(p).violations(), p + " broke the Applied contract");
  }
}
