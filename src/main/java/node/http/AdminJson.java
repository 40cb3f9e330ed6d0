package node.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;
import node.GroupMembers;
import raft.PeerId;
import raft.core.RaftRole;
import raft.message.Membership;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;

/**
 * The JSON bodies of the {@code /admin} routes ({@link AdminRoutes}, read back by
 * {@link HttpGroupAdmin}) and how each {@link AdminReply} becomes a status and a body. Every
 * refusal carries an {@link ErrorCode}, the exact {@code reason} of the core (e.g.
 * {@code JOINT_IN_PROGRESS} under {@code CHANGE_PENDING}) and the peer it is about.
 */
final class AdminJson {
  private AdminJson() {}

  /** One replica's view. */
  record ReplicaView(String id, String role, long term, String leader, List<String> voters, List<String> learners,
      List<String> outgoing, @JsonProperty("membership_index") long membershipIndex,
      @JsonProperty("commit_index") long commitIndex, @JsonProperty("last_index") long lastIndex) {}

  /** GET /admin/members: the view to trust (the leader's, else the most recent) and every replica's. */
  record Members(String leader, long term, List<String> voters, List<String> learners, List<String> outgoing,
      @JsonProperty("membership_index") long membershipIndex, List<ReplicaView> replicas) {}

  /** A change applied on the leader: the membership in force from {@code index}. */
  record Changed(boolean ok, long index, List<String> voters, List<String> learners, List<String> outgoing) {}

  /** POST /admin/transfer-leader: the leader is handing over to {@code target}. */
  record TransferStarted(boolean ok, String target) {}

  /** Every admin error: code to act on, text to read, the core's exact reason, the peer and the leader where known. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Error(ErrorCode code, String error, String reason, String peer, String leader) {}

  static Members members(GroupMembers m) {
    List<ReplicaView> replicas = m.replicas().stream().map(AdminJson::view).toList();
    Optional<MembershipStatus> view = m.view();
    Membership in = view.map(MembershipStatus::membership).orElse(Membership.EMPTY);
    return new Members(m.leader().map(s -> s.peer().id()).orElse(null), view.map(MembershipStatus::term).orElse(0L),
        ids(in.voters()), ids(in.learners()), ids(in.outgoing()), view.map(MembershipStatus::membershipIndex).orElse(0L),
        replicas);
  }

  private static ReplicaView view(MembershipStatus s) {
    Membership in = s.membership();
    return new ReplicaView(s.peer().id(), s.role().toString(), s.term(), s.leader().map(PeerId::id).orElse(null),
        ids(in.voters()), ids(in.learners()), ids(in.outgoing()), s.membershipIndex(), s.commitIndex(), s.lastIndex());
  }

  static GroupMembers groupMembers(Members body) {
    return new GroupMembers(body.replicas().stream().map(r -> new MembershipStatus(PeerId.of(r.id()),
        RaftRole.valueOf(r.role()), r.term(), Optional.ofNullable(r.leader()).map(PeerId::of),
        new Membership(peers(r.voters()), peers(r.learners()), peers(r.outgoing())), r.membershipIndex(),
        r.commitIndex(), r.lastIndex())).toList());
  }

  static List<String> ids(List<PeerId> ps) {
    return ps.stream().map(PeerId::id).toList();
  }

  static List<PeerId> peers(List<String> ids) {
    return ids == null ? List.of() : ids.stream().map(PeerId::of).toList();
  }

  static ApiJson.Answer reply(AdminReply r) {
    if (r instanceof AdminReply.Changed c) {
      Membership m = c.membership();
      return ApiJson.Answer.ok(new Changed(true, c.index(), ids(m.voters()), ids(m.learners()), ids(m.outgoing())));
    }
    if (r instanceof AdminReply.TransferStarted t) return ApiJson.Answer.ok(new TransferStarted(true, t.target().id()));
    if (r instanceof AdminReply.MembershipRefused m) return membershipRefused(m);
    if (r instanceof AdminReply.TransferRefused t) return transferRefused(t);
    if (r instanceof AdminReply.NotLeader n) {
      if (n.leaderHint().isEmpty()) return error(ErrorCode.NO_LEADER, "no leader available", null, null, null);
      return error(ErrorCode.WRONG_LEADER, "not the leader", null, null, n.leaderHint().get().id());
    }
    if (r instanceof AdminReply.TransferInProgress t) {
      return error(ErrorCode.TRANSFER_IN_PROGRESS, "the leader is handing leadership to " + t.target(), null, null,
          t.target().id());
    }
    if (r instanceof AdminReply.Unavailable u) return error(ErrorCode.TIMEOUT, u.reason(), null, null, null);
    throw new IllegalArgumentException("no HTTP answer for " + r); // Members is answered by its own route
  }

  private static ApiJson.Answer membershipRefused(AdminReply.MembershipRefused m) {
    String peer = m.peer().map(PeerId::id).orElse(null);
    String who = peer == null ? "" : peer + ": ";
    return switch (m.reason()) {
      case ALREADY_MEMBER -> error(ErrorCode.MEMBER_EXISTS, who + "already a member", m.reason(), peer, null);
      case NOT_A_MEMBER -> error(ErrorCode.NOT_A_MEMBER, who + "not a member", m.reason(), peer, null);
      case NOT_A_LEARNER -> error(ErrorCode.NOT_A_LEARNER, who + "not a learner (add it as one first)", m.reason(), peer, null);
      case LEARNER_BEHIND -> error(ErrorCode.LEARNER_BEHIND, who + "has not caught up with the leader's log yet",
          m.reason(), peer, null);
      case LAST_VOTER -> error(ErrorCode.LAST_VOTER, who + "the group would have no voter left", m.reason(), peer, null);
      case CHANGE_PENDING, NO_COMMIT_IN_TERM, JOINT_IN_PROGRESS -> error(ErrorCode.CHANGE_PENDING,
          "another membership change is not applied yet (" + m.reason() + ")", m.reason(), peer, null);
      case NO_CHANGE, DEMOTION_UNSUPPORTED -> error(ErrorCode.BAD_REQUEST, who + "refused: " + m.reason(), m.reason(),
          peer, null);
    };
  }

  private static ApiJson.Answer transferRefused(AdminReply.TransferRefused t) {
    String peer = t.target().map(PeerId::id).orElse(null);
    String who = peer == null ? "" : peer + ": ";
    return switch (t.reason()) {
      case NOT_A_MEMBER -> error(ErrorCode.NOT_A_MEMBER, who + "not a member", t.reason(), peer, null);
      case LEARNER -> error(ErrorCode.NOT_A_VOTER, who + "a learner cannot lead", t.reason(), peer, null);
      case ALREADY_LEADER -> error(ErrorCode.ALREADY_LEADER, who + "already leads", t.reason(), peer, peer);
      case NO_OTHER_VOTER -> error(ErrorCode.NO_OTHER_VOTER, "no other voter to hand over to", t.reason(), peer, null);
    };
  }

  static ApiJson.Answer error(ErrorCode code, String message, Enum<?> reason, String peer, String leader) {
    return ApiJson.Answer.of(code, new Error(code, message, reason == null ? null : reason.name(), peer, leader));
  }
}
