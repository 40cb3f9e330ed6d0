package raft.rsm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import raft.PeerId;
import raft.core.ProposeResult;
import raft.core.TransferResult;
import raft.message.LogEntry;
import raft.message.MembershipChange;
import raft.peer.Applied;
import raft.peer.MembershipStatus;
import raft.peer.RaftPeer;

/**
 * The operator's side of a replica ({@link ReplicatedStateMachine} delegates here): the members,
 * membership changes (answered once applied on this leader, {@link MembershipCalls}) and
 * leadership transfers, each mapped from the peer's answer onto a typed {@link AdminReply}.
 */
final class AdminRequests {
  /** How long the peer may take to answer before the caller is told Unavailable. */
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);

  /** The peer's answers, back in the replica's mailbox. */
  sealed interface Answered extends ReplicatedStateMachine.Command {}

  private record ChangeProposed(ProposeResult result, Throwable failure, ActorRef<AdminReply> replyTo) implements Answered {}

  private record TransferAnswered(TransferResult result, Throwable failure, ActorRef<AdminReply> replyTo)
      implements Answered {}

  private record MembersAnswered(MembershipStatus status, Throwable failure, ActorRef<AdminReply> replyTo)
      implements Answered {}

  private final ActorContext<ReplicatedStateMachine.Command> context;
  private final ActorRef<RaftPeer.Command> peer;
  private final MembershipCalls<ActorRef<AdminReply>> calls = new MembershipCalls<>();

  AdminRequests(ActorContext<ReplicatedStateMachine.Command> context, ActorRef<RaftPeer.Command> peer) {
    this.context = context;
    this.peer = peer;
  }

  void change(List<MembershipChange> changes, ActorRef<AdminReply> replyTo) {
    context.ask(ProposeResult.class, peer, PEER_TIMEOUT, to -> new RaftPeer.ChangeMembership(changes, to),
        (result, failure) -> new ChangeProposed(result, failure, replyTo));
  }

  void transfer(Optional<PeerId> target, ActorRef<AdminReply> replyTo) {
    context.ask(TransferResult.class, peer, PEER_TIMEOUT, to -> new RaftPeer.TransferLeadership(target, to),
        (result, failure) -> new TransferAnswered(result, failure, replyTo));
  }

  void members(ActorRef<AdminReply> replyTo) {
    context.ask(MembershipStatus.class, peer, PEER_TIMEOUT, RaftPeer.GetMembership::new,
        (status, failure) -> new MembersAnswered(status, failure, replyTo));
  }

  /** {@code role}: what the peer last said of its role (an acceptance of a term it no longer leads is void). */
  void onAnswered(Answered a, Applied.RoleChanged role) {
    if (a instanceof ChangeProposed c) onChangeProposed(c, role);
    else if (a instanceof TransferAnswered t) t.replyTo().tell(t.failure() != null ? noAnswer() : reply(t.result()));
    else if (a instanceof MembersAnswered m)
      m.replyTo().tell(m.failure() != null ? noAnswer() : new AdminReply.Members(m.status()));
  }

  private void onChangeProposed(ChangeProposed c, Applied.RoleChanged role) {
    ProposeResult r = c.result();
    if (c.failure() != null) c.replyTo().tell(noAnswer());
    else if (r instanceof ProposeResult.Accepted a && !(role.isLeader() && role.term() == a.term()))
      c.replyTo().tell(new AdminReply.NotLeader(role.leaderHint()));
    else if (r instanceof ProposeResult.Accepted a)
      calls.accepted(a.index(), a.term(), c.replyTo(), role.leaderHint()).ifPresent(c.replyTo()::tell);
    else if (r instanceof ProposeResult.NotLeader n) c.replyTo().tell(new AdminReply.NotLeader(n.leaderHint()));
    else if (r instanceof ProposeResult.TransferInProgress t) c.replyTo().tell(new AdminReply.TransferInProgress(t.target()));
    else if (r instanceof ProposeResult.MembershipRefused m)
      c.replyTo().tell(new AdminReply.MembershipRefused(m.reason(), m.peer()));
    else c.replyTo().tell(new AdminReply.Unavailable("the peer answered " + r)); // Busy, TooLarge: not for changes
  }

  private static AdminReply reply(TransferResult r) {
    if (r instanceof TransferResult.Started s) return new AdminReply.TransferStarted(s.target());
    if (r instanceof TransferResult.NotLeader n) return new AdminReply.NotLeader(n.leaderHint());
    TransferResult.Refused refused = (TransferResult.Refused) r;
    return new AdminReply.TransferRefused(refused.reason(), refused.target());
  }

  private static AdminReply noAnswer() {
    return new AdminReply.Unavailable("the Raft peer did not answer within " + PEER_TIMEOUT.toSeconds() + " s");
  }

  /** An entry applied here: answers the change it completes (or voids). */
  void applied(LogEntry e, Optional<PeerId> hint) {
    calls.applied(e, hint).forEach(a -> a.caller().tell(a.reply()));
  }

  void snapshotInstalled(long index, Optional<PeerId> hint) {
    calls.snapshotInstalled(index, hint).forEach(a -> a.caller().tell(a.reply()));
  }

  void leadershipLost(Optional<PeerId> hint) {
    calls.leadershipLost(hint).forEach(a -> a.caller().tell(a.reply()));
  }
}
