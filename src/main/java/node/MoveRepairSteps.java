package node;

import hosting.HostStatus;
import hosting.ReplicaKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.rsm.AdminReply;
import shardctrl.CtrlReply;

/**
 * Carries out one {@link MoveRepair.Step} with the steps of {@link ReplicaMove} itself (the same
 * asks of the group, the controller and the hosting); empty when done, else the answer that says
 * which repair failed (the group is then as the failed change left it; a move asked again
 * repairs from there). Blocking, like the move.
 */
final class MoveRepairSteps {
  private static final Logger LOG = LoggerFactory.getLogger(MoveRepairSteps.class);

  private final ReplicaMove move;
  private final int gid;
  private final GroupId group;
  private final List<ReplicaKey> servers;
  private final Membership members;
  private final long end;

  MoveRepairSteps(ReplicaMove move, int gid, List<ReplicaKey> servers, Membership members, long end) {
    this.move = move;
    this.gid = gid;
    this.group = ShardedSpec.groupOf(gid);
    this.servers = List.copyOf(servers);
    this.members = members;
    this.end = end;
  }

  Optional<CtrlReply> apply(MoveRepair.Step step) {
    if (step instanceof MoveRepair.Step.WaitForJoint) {
      ReplicaMove.sleep();
      return Optional.empty();
    }
    if (step instanceof MoveRepair.Step.PromoteLearner p) return promote(p.learner());
    if (step instanceof MoveRepair.Step.RemoveLearner r) return removeThenUnlist(r.learner(), false);
    if (step instanceof MoveRepair.Step.RemoveVoter r) return removeThenUnlist(r.leaving(), true);
    if (step instanceof MoveRepair.Step.Unlist u) return unlist(u.server());
    throw new IllegalStateException("unhandled " + step);
  }

  /** The learner on the target: created if it is not (a retry of a Create answers Running), then promoted once caught up. */
  private Optional<CtrlReply> promote(ReplicaKey learner) {
    move.placement.learn(group, servers.stream().map(ReplicaKey::replica).toList());
    HostStatus created = move.createUntilRunning(learner, move.placement.nodeOf(learner).orElseThrow(), members.voters(), end);
    if (!(created instanceof HostStatus.Running))
      return failed("creating learner " + learner + " to finish the earlier move: " + created);
    AdminReply promoted = move.promoteWhenCaughtUp(move.groupAdmin(servers, end), learner.replica(), end);
    if (!(promoted instanceof AdminReply.Changed)) return failed("promoting learner " + learner + ": " + promoted);
    LOG.info("repair of group {}: learner {} promoted", group, learner.replica());
    return Optional.empty();
  }

  /** A learner or the extra voter out of the group (a leaving leader hands over first), then out of the list. */
  private Optional<CtrlReply> removeThenUnlist(ReplicaKey member, boolean voter) {
    var admin = move.groupAdmin(servers, end);
    if (voter) move.handOverIfLeading(admin, member.replica(), end);
    AdminReply removed = ReplicaMove.change(admin, new MembershipChange.Remove(member.replica()), end);
    if (!(removed instanceof AdminReply.Changed)) return failed("removing " + member + " from the group: " + removed);
    LOG.info("repair of group {}: {} removed from the group", group, member.replica());
    return unlist(member);
  }

  /** Out of the controller's list (already out counts as done), then retired. */
  private Optional<CtrlReply> unlist(ReplicaKey server) {
    CtrlReply r = ReplicaMove.await(move.controller.removeServer(gid, server.entityId()), end);
    if (!(r instanceof CtrlReply.Config) && !(r instanceof CtrlReply.UnknownServer))
      return failed("unlisting " + server + " in the controller: " + r);
    List<raft.PeerId> left = new ArrayList<>();
    for (ReplicaKey k : servers) if (!k.equals(server)) left.add(k.replica());
    move.placement.learn(group, left);
    move.retire(server);
    LOG.info("repair of group {}: {} unlisted and retired", group, server);
    return Optional.empty();
  }

  private Optional<CtrlReply> failed(String what) {
    LOG.warn("repair of group {} failed: {}", group, what);
    return Optional.of(new CtrlReply.Rejected("group " + gid + " was left mid-move by an earlier one; repairing it failed "
        + what + " (move again to go on from there)"));
  }
}
