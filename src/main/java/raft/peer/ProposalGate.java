package raft.peer;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.core.ProposeResult;

/**
 * Sheds load before Akka stashes, so that the stash can never overflow. Typed persistence stashes
 * every command that arrives while a write (or the recovery) is in flight, and silently drops
 * those past {@code akka.persistence.typed.stash-capacity}: a dropped {@code Flush} used to leave
 * the peer waiting for it forever (it wrote and sent nothing more), a dropped {@code Propose} was
 * never answered and never counted as handled. Unstashing is also recursive: about a thousand
 * stashed commands overflow a 1 MiB thread stack.
 *
 * <p>So the gate counts commands that arrived but were not yet handled (the peer calls
 * {@link #handled} for every command it handles) and keeps them below the stash capacity: a
 * proposal beyond {@code maxPendingProposals} or beyond that bound is answered {@code Busy}; any
 * other command beyond it is dropped here, where Raft expects loss (a peer's message, a tick, a
 * status query the caller times out on). The peer's own {@code Flush} always passes: the bound
 * leaves room for it. Runs in the peer's actor: no locking.
 */
final class ProposalGate extends BehaviorInterceptor<RaftPeer.Command, RaftPeer.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(ProposalGate.class);
  /** Room kept in the stash for the peer's own Flush (and one re-armed Flush). */
  static final int FLUSH_RESERVE = 2;

  private final int proposalLimit;
  private final int commandLimit;
  private int proposals;
  private int commands;
  private long shed;

  /**
   * @param proposalLimit proposals waiting to be handled before Busy
   * @param stashCapacity the persistence stash capacity (the bound on all waiting commands)
   */
  ProposalGate(int proposalLimit, int stashCapacity) {
    super(RaftPeer.Command.class);
    if (stashCapacity <= FLUSH_RESERVE)
      throw new IllegalArgumentException("akka.persistence.typed.stash-capacity must be > " + FLUSH_RESERVE + ", was "
          + stashCapacity);
    this.proposalLimit = proposalLimit;
    this.commandLimit = stashCapacity - FLUSH_RESERVE;
  }

  @Override
  public Behavior<RaftPeer.Command> aroundReceive(TypedActorContext<RaftPeer.Command> ctx, RaftPeer.Command msg,
      ReceiveTarget<RaftPeer.Command> target) {
    if (msg instanceof RaftPeer.Proposal p) {
      if (proposals >= proposalLimit || commands >= commandLimit) {
        p.answer(new ProposeResult.Busy(proposals));
        return Behaviors.same();
      }
      proposals++;
    } else if (msg != RaftPeer.Flush.INSTANCE && commands >= commandLimit) {
      shed++;
      if (LOG.isDebugEnabled()) LOG.debug("{} commands waiting: dropped {} ({} dropped so far)", commands, msg, shed);
      return Behaviors.same();
    }
    commands++;
    return target.apply(ctx, msg);
  }

  /** The peer handled {@code command} (every admitted command comes back here exactly once). */
  void handled(RaftPeer.Command command) {
    commands--;
    if (command instanceof RaftPeer.Proposal) proposals--;
  }
}
