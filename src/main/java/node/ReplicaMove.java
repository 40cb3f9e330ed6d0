package node;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import hosting.BirthCertificate;
import hosting.HostStatus;
import hosting.ReplicaEntity;
import hosting.ReplicaHosting;
import hosting.ReplicaKey;
import hosting.ServiceRefs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;
import shardkv.ShardKvServer;

/**
 * Moves one replica of a shard group, or of the controller's own group, from node A to node B by
 * Raft membership change, the steps of design doc §2.3 (TiKV's learner → promote → remove). Where
 * the group's servers and used ids are recorded is a {@link ReplicaRecord}: the configurations for
 * a shard group, the controller's own record ({@code AddController}, {@code RemoveController}) for
 * the controller, which the controller writes through its own log before its new replica exists:
 *
 * <ol>
 *   <li>a fresh replica id on B ({@code B}, else {@code B.1}, {@code B.2}, ...) is listed among the
 *       group's servers by the controller ({@code AddServer}, through its log). The controller
 *       refuses any name it ever listed for the group, so its history is the durable record of
 *       used ids, written before the replica exists: a failed move burns its id, never reuses it;
 *   <li>the group adds it as a learner (committed and applied on the leader), and only then is it
 *       created on B, empty, with a {@code MEMBERSHIP_CHANGE} birth certificate naming the voters
 *       it is not among;
 *   <li>it is promoted once caught up (the core refuses {@code LEARNER_BEHIND} until then);
 *   <li>if the old replica leads, leadership is handed to another voter;
 *   <li>the old replica is removed from the group, then from the controller's list
 *       ({@code RemoveServer}), then retired on A if A is up (a dead A is not needed: when it
 *       comes back, its {@link PlacementFollower} retires it, reading the configuration).
 * </ol>
 *
 * During the move the controller lists a superset of the group's voters, so clients always find
 * the leader. A step that fails before the promotion undoes the learner (removed from the group
 * and the list; its id stays used); after it, the move stops where it is and says so, and a move
 * asked again repairs what it left ({@link MoveRepair}) before anything else.
 * Blocking: run it on the blocking dispatcher.
 */
final class ReplicaMove {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaMove.class);
  private static final Duration ASK = Duration.ofSeconds(3);
  private static final Duration POLL = Duration.ofMillis(200);
  /** How long one leadership transfer of a leaving leader is watched: a few election timeouts. */
  private static final Duration TRANSFER_WAIT = Duration.ofSeconds(5);
  private static final int TRANSFER_TRIES = 3;
  /** Candidate ids tried on one node before giving up (each refused one was listed once already). */
  private static final int MAX_CANDIDATES = 1_000;

  /** The group's admin requests in a shard group server's protocol. */
  static final AkkaGroupAdmin.Protocol<ShardKvServer.Command> SHARD_KV = new AkkaGroupAdmin.Protocol<>(
      ShardKvServer.GetMembers::new, ShardKvServer.ChangeMembership::new, ShardKvServer.TransferLeadership::new);

  /** The same requests in a controller server's protocol. */
  static final AkkaGroupAdmin.Protocol<shardctrl.ShardCtrlServer.Command> SHARD_CTRL = new AkkaGroupAdmin.Protocol<>(
      shardctrl.ShardCtrlServer.GetMembers::new, shardctrl.ShardCtrlServer.ChangeMembership::new,
      shardctrl.ShardCtrlServer.TransferLeadership::new);

  private final ActorSystem<?> system;
  final ShardCtrlClient controller;
  final NodePlacement placement;
  private final Duration timeout;

  ReplicaMove(ActorSystem<?> system, ShardCtrlClient controller, NodePlacement placement, Duration timeout) {
    this.system = system;
    this.controller = controller;
    this.placement = placement;
    this.timeout = timeout;
  }

  /** What a move found before changing anything: the group's record, its servers, the replica leaving. */
  private record Plan(ReplicaRecord record, GroupId group, List<ReplicaKey> servers, ReplicaKey old, String to,
      Address toAddress) {
    int gid() {
      return record.gid();
    }
  }

  /**
   * The checks that need only the controller's configuration: {@link CtrlReply.UnknownGid}, {@link
   * CtrlReply.UnknownNode}, {@link CtrlReply.NoReplicaOnNode}, {@link CtrlReply.ReplicaOnNode}, or
   * what the controller answered instead of a configuration.
   */
  static Optional<CtrlReply> refusal(ShardConfig latest, NodePlacement placement, int gid, String from, String to) {
    return refusal(latest.groups().get(gid), placement, gid, from, to);
  }

  /** The same checks over the group's servers ({@code null}: no such group). */
  static Optional<CtrlReply> refusal(List<String> servers, NodePlacement placement, int gid, String from, String to) {
    if (servers == null) return Optional.of(new CtrlReply.UnknownGid(gid));
    if (placement.node(from).isEmpty()) return Optional.of(new CtrlReply.UnknownNode(from));
    if (placement.node(to).isEmpty()) return Optional.of(new CtrlReply.UnknownNode(to));
    List<ReplicaKey> keys = servers.stream().map(ReplicaKey::parse).toList();
    if (keys.stream().noneMatch(k -> NodePlacement.nodeName(k.replica()).equals(from)))
      return Optional.of(new CtrlReply.NoReplicaOnNode(gid, from));
    if (keys.stream().anyMatch(k -> NodePlacement.nodeName(k.replica()).equals(to)))
      return Optional.of(new CtrlReply.ReplicaOnNode(gid, to));
    return Optional.empty();
  }

  /**
   * Runs the move; the final configuration, or a typed refusal, or Rejected/Timeout naming the step.
   * A group an earlier move left half-done (a learner, an extra voter, a server listed but no
   * member, {@link MoveRepair}) is repaired first, step by step; if that finishes the move asked
   * for, its configuration is the answer, else the move runs on the repaired group.
   */
  CtrlReply run(int gid, String from, String to) {
    return run(new ShardGroupRecord(controller, gid), from, to);
  }

  /**
   * Runs the move of a replica of the group {@code record} keeps: its final listing ({@code Config}
   * for a shard group, {@code Controllers} for the controller), or a typed refusal, or
   * Rejected/Timeout naming the step.
   */
  CtrlReply run(ReplicaRecord record, String from, String to) {
    long end = System.nanoTime() + timeout.toNanos();
    if (record.gid() > 0) { // a shard group: first repair what an earlier move of it left half-done
      Optional<CtrlReply> over = repair(record.gid(), from, to, end);
      if (over.isPresent()) return over.get();
    }
    CtrlReply latest = await(record.read(), end);
    if (!record.lists(latest)) return latest;
    Optional<CtrlReply> refused = refusal(record.serversIn(latest), placement, record.gid(), from, to);
    if (refused.isPresent()) return refused.get();
    List<ReplicaKey> servers = record.serversIn(latest).stream().map(ReplicaKey::parse).toList();
    ReplicaKey old = servers.stream().filter(k -> NodePlacement.nodeName(k.replica()).equals(from)).findFirst().orElseThrow();
    Plan plan = new Plan(record, record.group(), servers, old, to, placement.node(to).orElseThrow());
    // The controller's own group has no repair (its record keeps no history to tell a move's server
    // from one it came with): a half-done move of it is refused until it is finished by hand.
    Optional<MembershipStatus> view = record.gid() > 0 ? Optional.empty() : members(groupAdmin(plan, servers, end), end).view();
    if (view.isPresent() && (view.get().membership().isJoint() || !view.get().membership().learners().isEmpty()))
      return new CtrlReply.MoveInProgress(record.gid(), "group " + plan.group() + " is mid-change: "
          + view.get().membership().describe() + " (an earlier move did not finish)");
    return move(plan, end);
  }

  /**
   * Repairs what an earlier move of shard group {@code gid} left half-done (a learner, an extra
   * voter, a server listed but no member: {@link MoveRepair}), step by step: the answer if the move
   * is over (finished by the repair, refused, or failed), empty when the move is to run on the
   * repaired group.
   */
  private Optional<CtrlReply> repair(int gid, String from, String to, long end) {
    boolean repaired = false;
    for (int round = 0; ; round++) {
      CtrlReply latest = await(controller.query(-1), end);
      if (!(latest instanceof CtrlReply.Config c)) return Optional.of(latest);
      Optional<CtrlReply> unknown = unknown(c.config(), placement, gid, from, to);
      if (unknown.isPresent()) return unknown;
      List<ReplicaKey> servers = c.config().groups().get(gid).stream().map(ReplicaKey::parse).toList();
      // Only the leader's view: a follower's may lack the latest change, and a learner it does not
      // know yet would look like a server listed but no member.
      Optional<MembershipStatus> view = members(groupAdmin(servers, end), end).leader();
      if (view.isEmpty()) return Optional.empty(); // no leader answered: the move's own steps fail and say so
      Membership m = view.get().membership();
      if (repaired && MoveRepair.done(servers, m, from, to)) {
        placement.learn(ShardedSpec.groupOf(gid), servers.stream().map(ReplicaKey::replica).toList());
        LOG.info("move of group {} {} -> {} finished by repairing the earlier one (configuration {})", gid, from, to,
            c.config().num());
        return Optional.of(latest);
      }
      MoveRepair.Step step = MoveRepair.next(servers, m, from, to, listedBefore(c.config(), gid, servers, to, end));
      if (step instanceof MoveRepair.Step.None) return Optional.empty();
      if (round >= MAX_REPAIRS || System.nanoTime() > end)
        return Optional.of(new CtrlReply.MoveInProgress(gid, "group " + ShardedSpec.groupOf(gid) + " is still mid-change after "
            + round + " repair steps: " + m.describe() + ", next " + step));
      LOG.info("move of group {} {} -> {}: the group is mid-move (members {}, listed {}): {}", gid, from, to,
          m.describe(), servers, step);
      Optional<CtrlReply> failed = new MoveRepairSteps(this, gid, servers, m, end).apply(step);
      if (failed.isPresent()) return failed;
      repaired = true;
    }
  }

  /** Repair steps one move takes at most before it gives up (each changes the group or the list once). */
  private static final int MAX_REPAIRS = 8;
  /** Configurations read back at most to find where the replica on the target was listed. */
  private static final int MAX_HISTORY = 64;

  /** {@link CtrlReply.UnknownGid}, {@link CtrlReply.UnknownNode}: refusals a repair must not wait for. */
  private static Optional<CtrlReply> unknown(ShardConfig latest, NodePlacement placement, int gid, String from, String to) {
    if (!latest.groups().containsKey(gid)) return Optional.of(new CtrlReply.UnknownGid(gid));
    if (placement.node(from).isEmpty()) return Optional.of(new CtrlReply.UnknownNode(from));
    if (placement.node(to).isEmpty()) return Optional.of(new CtrlReply.UnknownNode(to));
    return Optional.empty();
  }

  /**
   * The group's servers in the configuration just before its server on {@code to} was listed, if
   * one is and a configuration of the group without it is found (a move listed it); empty if there
   * is none on {@code to} or it came with the group.
   */
  private Optional<List<ReplicaKey>> listedBefore(ShardConfig latest, int gid, List<ReplicaKey> servers, String to, long end) {
    Optional<ReplicaKey> onTo = servers.stream().filter(k -> NodePlacement.nodeName(k.replica()).equals(to)).findFirst();
    if (onTo.isEmpty()) return Optional.empty();
    for (long num = latest.num() - 1; num >= 0 && num >= latest.num() - MAX_HISTORY; num--) {
      CtrlReply r = await(controller.query(num), end);
      if (!(r instanceof CtrlReply.Config c)) return Optional.empty();
      List<String> then = c.config().groups().get(gid);
      if (then == null) return Optional.empty(); // it came with the group's Join
      if (!then.contains(onTo.get().entityId())) return Optional.of(then.stream().map(ReplicaKey::parse).toList());
    }
    return Optional.empty();
  }

  private CtrlReply move(Plan p, long end) {
    // 1. A fresh id, recorded by the controller before the replica exists.
    ReplicaKey fresh = null;
    for (int k = 0; k < MAX_CANDIDATES && fresh == null; k++) {
      ReplicaKey candidate = new ReplicaKey(p.group(), PeerId.of(k == 0 ? p.to() : p.to() + "." + k));
      if (p.servers().contains(candidate)) continue;
      CtrlReply added = await(p.record().add(candidate.entityId()), end);
      if (p.record().lists(added)) fresh = candidate;
      else if (added instanceof CtrlReply.ServerUsedBefore) continue; // another move may hold it: never take it over
      else if (listedNow(p.record(), candidate, end)) fresh = candidate; // applied, answer lost
      else return added;
    }
    if (fresh == null) return new CtrlReply.Rejected("no unused replica id left on node " + p.to());
    LOG.info("move of group {}: {} on {} replaces {}", p.group(), fresh.replica(), p.to(), p.old());
    List<ReplicaKey> during = new ArrayList<>(p.servers());
    during.add(fresh);
    placement.learn(p.group(), during.stream().map(ReplicaKey::replica).toList());
    AkkaGroupAdmin group = groupAdmin(p, during, end);

    // 2. Learner by a committed change (asked of the replicas that exist: the new one would not
    // answer), then created empty on its node.
    AdminReply learner = change(groupAdmin(p, p.servers(), end), new MembershipChange.AddLearner(fresh.replica()), end);
    if (!(learner instanceof AdminReply.Changed added))
      return undo(p, fresh, group, end, "adding learner " + fresh.replica() + ": " + learner);
    List<PeerId> voters = added.membership().voters();
    LOG.info("move of group {}: learner {} added at index {}; creating it on {}", p.group(), fresh.replica(), added.index(), p.to());
    HostStatus created = createUntilRunning(fresh, p.toAddress(), voters, end);
    if (!(created instanceof HostStatus.Running))
      return undo(p, fresh, group, end, "creating " + fresh + " on " + p.to() + ": " + created);

    // 3. Promoted once caught up.
    AdminReply promoted = promoteWhenCaughtUp(group, fresh.replica(), end);
    if (!(promoted instanceof AdminReply.Changed))
      return undo(p, fresh, group, end, "promoting " + fresh.replica() + ": " + promoted);

    LOG.info("move of group {}: {} promoted", p.group(), fresh.replica());
    // 4. Leadership off the leaving replica, 5. its removal from the group and the list.
    handOverIfLeading(group, p.old().replica(), end);
    AdminReply removed = change(group, new MembershipChange.Remove(p.old().replica()), end);
    if (!(removed instanceof AdminReply.Changed))
      return new CtrlReply.Rejected("group " + p.group() + " has " + fresh.replica() + " as a voter, but removing "
          + p.old().replica() + " failed: " + removed + "; it is still a member (move again to finish)");
    LOG.info("move of group {}: {} removed from the group", p.group(), p.old().replica());
    CtrlReply listed = await(p.record().remove(p.old().entityId()), end);
    if (!p.record().lists(listed)) return listed;
    placement.learn(p.group(), p.record().serversIn(listed).stream().map(s -> ReplicaKey.parse(s).replica()).toList());
    retire(p.old());
    LOG.info("move of group {} done: {} replaced {} ({})", p.group(), fresh, p.old(), listed);
    return listed;
  }

  /** Whether the latest configuration lists {@code key} for the group (an AddServer whose answer was lost may have been applied). */
  private boolean listedNow(ReplicaRecord record, ReplicaKey key, long end) {
    CtrlReply latest = await(record.read(), end);
    if (!record.lists(latest)) return false;
    List<String> servers = record.serversIn(latest);
    return servers != null && servers.contains(key.entityId());
  }

  /** Before the promotion nothing depends on the learner: take it out of the group and the list (its id stays used). */
  private CtrlReply undo(Plan p, ReplicaKey fresh, AkkaGroupAdmin group, long end, String what) {
    LOG.warn("move of group {} to {} failed at {}; undoing the learner", p.group(), p.to(), what);
    AdminReply out = change(group, new MembershipChange.Remove(fresh.replica()), end);
    CtrlReply unlisted = await(p.record().remove(fresh.entityId()), end);
    placement.learn(p.group(), p.servers().stream().map(ReplicaKey::replica).toList());
    retire(fresh);
    return new CtrlReply.Rejected("move of group " + p.group() + " from " + p.old() + " to node " + p.to() + " failed "
        + what + "; undone (learner removal: " + out + ", controller: " + unlisted.getClass().getSimpleName() + ")");
  }

  HostStatus createUntilRunning(ReplicaKey key, Address node, List<PeerId> voters, long end) {
    HostStatus last = null;
    while (System.nanoTime() < end) {
      try {
        last = ReplicaHosting.create(system, key, node, voters, BirthCertificate.Cause.MEMBERSHIP_CHANGE, ASK)
            .toCompletableFuture().get(ASK.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        if (last instanceof HostStatus.Running || last instanceof HostStatus.Refused) return last;
      } catch (Exception e) {
        // its node's region may not have it allocated yet: ask again
      }
      sleep();
    }
    return last;
  }

  AdminReply promoteWhenCaughtUp(AkkaGroupAdmin group, PeerId learner, long end) {
    return change(group, new MembershipChange.PromoteLearner(learner), end);
  }

  /**
   * A change, asked again while the refusal only means "not yet": an earlier change not applied
   * (a joint configuration leaving), a new leader without a commit in its term, a learner behind.
   */
  static AdminReply change(AkkaGroupAdmin group, MembershipChange change, long end) {
    while (true) { // at least one attempt, even past the deadline: its own asks are bounded
      AdminReply last = admin(group.change(change), end);
      if (!(last instanceof AdminReply.MembershipRefused r && NOT_YET.contains(r.reason())) || System.nanoTime() >= end)
        return last;
      sleep();
    }
  }

  private static final java.util.Set<MembershipRefusal> NOT_YET = java.util.EnumSet.of(MembershipRefusal.LEARNER_BEHIND,
      MembershipRefusal.CHANGE_PENDING, MembershipRefusal.NO_COMMIT_IN_TERM, MembershipRefusal.JOINT_IN_PROGRESS);

  /**
   * A leader that is removed would hand over by itself; doing it first keeps the gap to one
   * transfer. A transfer the core gave up (it does after an election timeout) is asked again, at
   * most {@link #TRANSFER_TRIES} times, each watched for {@link #TRANSFER_WAIT}; then the removal
   * goes ahead anyway, so a transfer that does not happen can never use up the move's deadline.
   */
  void handOverIfLeading(AkkaGroupAdmin group, PeerId leaving, long end) {
    for (int attempt = 1; attempt <= TRANSFER_TRIES; attempt++) {
      GroupMembers now = members(group, end);
      if (!now.isLeader(leaving)) return;
      AdminReply t = admin(group.transferLeadership(Optional.empty()), end);
      LOG.info("{} leads its group and is leaving: transfer {} (attempt {})", leaving, t, attempt);
      long watchEnd = Math.min(end, System.nanoTime() + TRANSFER_WAIT.toNanos());
      while (System.nanoTime() < watchEnd) {
        GroupMembers m = members(group, end);
        if (m.leader().isPresent() && !m.isLeader(leaving)) return;
        sleep();
      }
    }
    LOG.warn("{} still leads after {} transfers: removing it as leader (it hands over as it steps down)", leaving,
        TRANSFER_TRIES);
  }

  void retire(ReplicaKey key) {
    Address node = placement.nodeOf(key).orElseThrow();
    var members = hosting.PinnedAllocationStrategy.Members.of(
        akka.cluster.Cluster.get(akka.actor.typed.javadsl.Adapter.toClassic(system)));
    if (!members.isUp(node)) {
      // Not sent: sharding would buffer it (and may drop it when full). The node retires the replica
      // itself when it comes back and reads a configuration that no longer lists it.
      LOG.info("{} is out of its group; its node {} is not up, so it retires it when it follows the configuration again",
          key, node);
      return;
    }
    try {
      HostStatus s = ReplicaHosting.entityRef(system, key).<HostStatus>ask(ReplicaEntity.Retire::new, ASK)
          .toCompletableFuture().get(ASK.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      LOG.info("retired {}: {}", key, s);
    } catch (Exception e) {
      LOG.warn("{} is out of its group but could not be retired now ({}); its node retires it when it follows the "
          + "configuration again", key, e.toString());
    }
  }

  /** A shard group's admin (the repair steps use it). */
  AkkaGroupAdmin groupAdmin(List<ReplicaKey> servers, long end) {
    return groupAdmin(SHARD_KV, servers, end);
  }

  private AkkaGroupAdmin groupAdmin(Plan p, List<ReplicaKey> servers, long end) {
    return groupAdmin(p.record().protocol(), servers, end);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private AkkaGroupAdmin groupAdmin(AkkaGroupAdmin.Protocol<?> protocol, List<ReplicaKey> servers, long end) {
    Map<PeerId, ActorRef<wire.CborSerializable>> refs = new LinkedHashMap<>();
    for (ReplicaKey k : servers) refs.put(k.replica(), ServiceRefs.of(system, k));
    return new AkkaGroupAdmin(system, (Map) refs, (AkkaGroupAdmin.Protocol) protocol, ASK, left(end));
  }

  private static Duration left(long end) {
    return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(100), end - System.nanoTime()));
  }

  /** The admin's answer; Unavailable if none came (its own deadline is the move's). */
  private static AdminReply admin(CompletionStage<AdminReply> stage, long end) {
    try {
      return stage.toCompletableFuture().get(left(end).toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new AdminReply.Unavailable("interrupted");
    } catch (Exception e) {
      return new AdminReply.Unavailable("no answer: " + e);
    }
  }

  private static GroupMembers members(AkkaGroupAdmin group, long end) {
    try {
      return group.members().toCompletableFuture().get(ASK.toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new GroupMembers(List.of());
    } catch (Exception e) {
      return new GroupMembers(List.of());
    }
  }

  static CtrlReply await(CompletionStage<CtrlReply> stage, long end) {
    try {
      return stage.toCompletableFuture().get(left(end).toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CtrlReply.TIMEOUT;
    } catch (Exception e) {
      return CtrlReply.TIMEOUT;
    }
  }

  static void sleep() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
