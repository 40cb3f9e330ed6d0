package raft.peer;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import raft.core.ProposeResult;

/**
 * Answers Busy before Akka stashes: counts proposals that arrived but were not yet handled
 * (they wait in the stash while a write is in flight) and turns away those beyond the bound.
 * Without it a burst of proposals behind one write grows the stash without limit; typed
 * persistence drops commands past stash-capacity silently, and unstashing is recursive, so about
 * a thousand stashed commands overflow a 1 MiB thread stack. Runs in the peer's actor: no locking.
 */
final class ProposalGate extends BehaviorInterceptor<RaftPeer.Command, RaftPeer.Command> {
  private final int limit;
  private int arrived;

  ProposalGate(int limit) {
    super(RaftPeer.Command.class);
    this.limit = limit;
  }

  @Override
  public Behavior<RaftPeer.Command> aroundReceive(TypedActorContext<RaftPeer.Command> ctx, RaftPeer.Command msg,
      ReceiveTarget<RaftPeer.Command> target) {
    if (!(msg instanceof RaftPeer.Propose p)) return target.apply(ctx, msg);
    if (arrived >= limit) {
      p.replyTo().tell(new ProposeResult.Busy(arrived));
      return Behaviors.same();
    }
    arrived++;
    return target.apply(ctx, msg);
  }

  void handled() {
    arrived--;
  }
}
