package shardkv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.PostStop;
import akka.actor.typed.Signal;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;
import raft.rsm.ReplicatedStateMachine;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardctrl.ShardCtrlClient;

/**
 * A shard group server's own protocol onto its replica, and what its leader does every tick (the
 * lab's background goroutines), in the replica's actor so it reads the applied state directly:
 * (1) when no shard is in transit, watch the controller for a configuration after the current one
 * (a long poll, {@link ShardKvSettings#watchTimeout()}, re-armed as soon as it ends) and propose
 * configuration current + 1, queried first if the watch returned a later one (configurations
 * enter the log one at a time, in order); (2) for each PULLING shard, pull the next
 * chunk from the previous owner and propose it, the following chunk as soon as that one is applied;
 * (3) for each GCING shard, have the previous owner log the delete, then propose GcDone. A step is
 * checked when applied ({@link ShardKvStateMachine}), so a repeated or stale one changes nothing;
 * what is in flight is remembered only to avoid asking twice at once.
 *
 * <p>A long poll whose request or answer is lost shows only when it times out (the watch timeout
 * plus an attempt). So a leader that hears of a newer configuration than its own, from a client that
 * routed with it or from a group pulling for it, asks the controller for its next one at once (one
 * such query at a time, next to the watch); whichever path proposes it first wins, the other's
 * proposal is ignored when applied.
 */
final class ShardKvDuties extends BehaviorInterceptor<ShardKvServer.Command, ReplicatedStateMachine.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(ShardKvDuties.class);

  enum Tick implements ShardKvServer.Internal { INSTANCE }

  private record Role(RaftStatus status) implements ShardKvServer.Internal {}

  /** Propose a reconfiguration step; the reply goes to {@code replyTo} once applied. */
  private record Propose(ShardKvCommand step, ActorRef<ShardKvReply> replyTo) implements ShardKvServer.Internal {}

  private record Watched(long want, CtrlReply reply) implements ShardKvServer.Internal {}

  private record Queried(long want, CtrlReply reply) implements ShardKvServer.Internal {}

  /** The proposed ConfigChange was applied or refused (or its ask timed out): the next watch may start. */
  private record Proposed(ShardKvReply reply) implements ShardKvServer.Internal {}

  private record Pulled(long num, int shard, ShardPull.Reply reply) implements ShardKvServer.Internal {}

  private record Installed(long num, int shard, boolean last, ShardKvReply reply) implements ShardKvServer.Internal {}

  private record Deleted(long num, int shard, ShardKvReply reply) implements ShardKvServer.Internal {}

  private record Done(ShardKvReply reply) implements ShardKvServer.Internal {}

  private record HintQueried(long want, CtrlReply reply) implements ShardKvServer.Internal {}

  private record HintProposed(ShardKvReply reply) implements ShardKvServer.Internal {}

  private final ActorContext<ShardKvServer.Command> ctx;
  private final ShardKvSettings settings;
  private final ShardKvStateMachine machine;
  private final ShardCtrlClient controller;
  private final Function<String, ActorRef<ShardKvServer.Command>> resolver;
  private final ShardKvMetrics metrics;
  private final ActorRef<RaftStatus> roleAdapter;
  /** Pulls and deletes at other groups, each starting at the server that answered last. */
  private final GroupCall calls = new GroupCall();
  /** A watch, the query it led to, or the ConfigChange proposal it led to is in flight. */
  private boolean querying;
  private final Set<Integer> pulling = new HashSet<>();
  private final Set<Integer> deleting = new HashSet<>();
  /** Whether the last status seen said this replica leads (at most a tick old). */
  private boolean leading;
  /** A query prompted by a hint of a newer configuration, or the proposal it led to, is in flight. */
  private boolean hinted;

  ShardKvDuties(ActorContext<ShardKvServer.Command> ctx, ShardKvSettings settings, ShardKvStateMachine machine,
      ShardCtrlClient controller, Function<String, ActorRef<ShardKvServer.Command>> resolver, ShardKvMetrics metrics) {
    super(ShardKvServer.Command.class);
    this.metrics = metrics;
    this.ctx = ctx;
    this.settings = settings;
    this.machine = machine;
    this.controller = controller;
    this.resolver = resolver;
    this.roleAdapter = ctx.messageAdapter(RaftStatus.class, Role::new);
  }

  @Override
  public Behavior<ReplicatedStateMachine.Command> aroundReceive(TypedActorContext<ShardKvServer.Command> typed,
      ShardKvServer.Command msg, ReceiveTarget<ReplicatedStateMachine.Command> target) {
    if (msg instanceof ShardKvServer.Execute e) {
      hint(e.configNum());
      return submit(typed, target, e.op(), e.consistency(), e.replyTo());
    }
    if (msg instanceof ShardKvServer.Delete d) return submit(typed, target, new ShardKvCommand.DeleteShard(d.num(), d.shard()), d.replyTo());
    if (msg instanceof Propose p) return submit(typed, target, p.step(), p.replyTo());
    if (msg instanceof ShardKvServer.Pull p) {
      hint(p.request().num());
      p.replyTo().tell(machine.pull(p.request())); // frozen shards are the same on every replica that applied num
    } else if (msg instanceof ShardKvServer.GetShards g) {
      java.util.List<ShardStatus> statuses = new java.util.ArrayList<>();
      java.util.List<Integer> keys = new java.util.ArrayList<>();
      for (int shard = 0; shard < settings.mapping().nShards(); shard++) {
        statuses.add(machine.status(shard));
        keys.add(machine.keys(shard));
      }
      g.replyTo().tell(new ShardKvServer.Shards(machine.current().num(), statuses, keys));
    } else if (msg instanceof ShardKvServer.GetStatus g) {
      return target.apply(typed, new ReplicatedStateMachine.GetStatus(g.replyTo()));
    } else if (msg instanceof ShardKvServer.GetMembers g) {
      return target.apply(typed, new ReplicatedStateMachine.GetMembers(g.replyTo()));
    } else if (msg instanceof ShardKvServer.ChangeMembership c) {
      return target.apply(typed, new ReplicatedStateMachine.ChangeMembership(c.changes(), c.replyTo()));
    } else if (msg instanceof ShardKvServer.TransferLeadership t) {
      return target.apply(typed, new ReplicatedStateMachine.TransferLeadership(t.target(), t.replyTo()));
    } else if (msg == Tick.INSTANCE) {
      metrics.pulling(machine.shardsIn(ShardStatus.PULLING).size()); // every replica: followers hold the same state
      return target.apply(typed, new ReplicatedStateMachine.GetStatus(roleAdapter));
    } else if (msg instanceof Role r) {
      leading = r.status().isLeader();
      if (leading) duties();
    } else if (msg instanceof Watched w) {
      onWatched(w);
    } else if (msg instanceof Queried q) {
      onQueried(q);
    } else if (msg instanceof Proposed p) {
      if (p.reply() instanceof ShardKvReply.Applied || p.reply() instanceof ShardKvReply.Ignored) rearm(); else querying = false;
    } else if (msg instanceof Pulled p) {
      onPulled(p);
    } else if (msg instanceof Installed i) {
      onInstalled(i);
    } else if (msg instanceof Deleted d) {
      onDeleted(d);
    } else if (msg instanceof HintQueried q) {
      onHintQueried(q);
    } else if (msg instanceof HintProposed p) {
      hinted = false;
      if (p.reply() instanceof ShardKvReply.Applied) ctx.getSelf().tell(Tick.INSTANCE); // start its pulls now
    }
    return Behaviors.same();
  }

  @Override
  public Behavior<ReplicatedStateMachine.Command> aroundSignal(TypedActorContext<ShardKvServer.Command> typed,
      Signal signal, SignalTarget<ReplicatedStateMachine.Command> target) {
    if (signal instanceof PostStop) metrics.pulling(0); // a stopped replica pulls nothing; its last count would linger
    return target.apply(typed, signal);
  }

  private Behavior<ReplicatedStateMachine.Command> submit(TypedActorContext<ShardKvServer.Command> typed,
      ReceiveTarget<ReplicatedStateMachine.Command> target, ShardKvCommand command, ActorRef<ShardKvReply> replyTo) {
    return submit(typed, target, command, ReadConsistency.LINEARIZABLE, replyTo);
  }

  /** {@code consistency} matters to a client's read only, which the replica runs as a query (no log entry). */
  private Behavior<ReplicatedStateMachine.Command> submit(TypedActorContext<ShardKvServer.Command> typed,
      ReceiveTarget<ReplicatedStateMachine.Command> target, ShardKvCommand command, ReadConsistency consistency,
      ActorRef<ShardKvReply> replyTo) {
    // Sessions are per shard, inside the state machine: the replica's own (client 0) dedupes nothing.
    return target.apply(typed, new ReplicatedStateMachine.Submit<>(0, 0, command, consistency, replyTo));
  }

  private void duties() {
    if (machine.settled() && !querying) {
      querying = true;
      long want = machine.current().num() + 1;
      ctx.pipeToSelf(controller.watch(want - 1, settings.watchTimeout()), (r, e) -> new Watched(want, r));
    }
    for (int shard : machine.shardsIn(ShardStatus.PULLING)) if (pulling.add(shard)) pull(shard);
    for (int shard : machine.shardsIn(ShardStatus.GCING)) {
      if (!deleting.add(shard)) continue;
      long num = machine.current().num();
      ctx.pipeToSelf(calls.<ShardKvServer.Command, ShardKvReply>firstAnswer(ctx.getSystem(), previousOwner(shard),
              to -> new ShardKvServer.Delete(num, shard, to), settings.callTimeout(), ShardKvDuties::counts),
          (r, e) -> new Deleted(num, shard, r));
    }
  }

  private void onWatched(Watched w) {
    if (!(w.reply() instanceof CtrlReply.Config c) || c.config().num() < w.want()) {
      // Unchanged: watch again at once. No answer (Timeout, after at least the watch timeout plus an
      // attempt, or at once from a closed client): the next tick re-arms, so nothing can spin.
      if (w.reply() instanceof CtrlReply.Unchanged) rearm(); else querying = false;
    } else if (c.config().num() == w.want()) {
      proposeConfig(c.config());
    } else {
      ctx.pipeToSelf(controller.query(w.want()), (r, e) -> new Queried(w.want(), r)); // strictly in order
    }
  }

  private void onQueried(Queried q) {
    if (q.reply() instanceof CtrlReply.Config c && c.config().num() == q.want()) {
      proposeConfig(c.config());
    } else {
      querying = false; // the next tick tries again
    }
  }

  /** Someone routed or pulled with configuration {@code num}: if it is newer than ours, ask for our next one now. */
  private void hint(long num) {
    if (!leading || hinted || num <= machine.current().num() || !machine.settled()) return;
    hinted = true;
    long want = machine.current().num() + 1;
    LOG.debug("gid {}: heard of configuration {} at {}: asking the controller for {}", settings.gid(), num,
        machine.current().num(), want);
    ctx.pipeToSelf(controller.query(want), (r, e) -> new HintQueried(want, r));
  }

  private void onHintQueried(HintQueried q) {
    if (q.reply() instanceof CtrlReply.Config c && c.config().num() == q.want()
        && machine.current().num() + 1 == q.want() && machine.settled()) {
      LOG.info("gid {}: configuration {} from the controller (asked on a hint): {}", settings.gid(), c.config().num(),
          c.config().describe());
      propose(new ShardKvCommand.ConfigChange(c.config()), HintProposed::new);
    } else {
      hinted = false; // the watch got there first, or no answer: the next hint asks again
    }
  }

  private void proposeConfig(ShardConfig config) {
    LOG.info("gid {}: configuration {} from the controller: {}", settings.gid(), config.num(), config.describe());
    propose(new ShardKvCommand.ConfigChange(config), Proposed::new);
  }

  /** Nothing of the configuration step is in flight now; look again at once rather than at the next tick. */
  private void rearm() {
    querying = false;
    ctx.getSelf().tell(Tick.INSTANCE);
  }

  private void pull(int shard) {
    long num = machine.current().num();
    ShardPull.Request req = new ShardPull.Request(num, shard, machine.cursor(shard), settings.chunkBytes());
    ctx.pipeToSelf(calls.<ShardKvServer.Command, ShardPull.Reply>firstAnswer(ctx.getSystem(), previousOwner(shard),
            to -> new ShardKvServer.Pull(req, to), settings.callTimeout(), r -> !(r instanceof ShardPull.NotYet)),
        (r, e) -> new Pulled(num, shard, r));
  }

  private void onPulled(Pulled p) {
    if (p.reply() instanceof ShardPull.Chunk c && stillPulling(p.num(), p.shard())) {
      propose(c.install(), r -> new Installed(p.num(), p.shard(), c.last(), r));
    } else {
      pulling.remove(p.shard()); // no answer, Gone, or moved on: the next tick looks again
    }
  }

  private void onInstalled(Installed i) {
    if (i.reply() instanceof ShardKvReply.Applied && !i.last() && stillPulling(i.num(), i.shard())) {
      pull(i.shard()); // the next chunk at once
    } else {
      if (i.last() && i.reply() instanceof ShardKvReply.Applied) {
        LOG.info("gid {}: shard {} installed for configuration {}", settings.gid(), i.shard(), i.num());
      }
      pulling.remove(i.shard());
    }
  }

  private void onDeleted(Deleted d) {
    deleting.remove(d.shard());
    if (d.reply() instanceof ShardKvReply.Applied) propose(new ShardKvCommand.GcDone(d.num(), d.shard()), Done::new);
  }

  private boolean stillPulling(long num, int shard) {
    return machine.current().num() == num && machine.status(shard) == ShardStatus.PULLING;
  }

  /** Proposes {@code step} through this server's own log (an ask to itself); {@code done} sees the applied reply, or null. */
  private void propose(ShardKvCommand step, Function<ShardKvReply, ShardKvServer.Command> done) {
    ctx.ask(ShardKvReply.class, ctx.getSelf(), settings.callTimeout().multipliedBy(5), to -> new Propose(step, to),
        (r, e) -> done.apply(r));
  }

  private List<ActorRef<ShardKvServer.Command>> previousOwner(int shard) {
    ShardConfig prev = machine.previous();
    return prev.groups().getOrDefault(prev.gidOf(shard), List.of()).stream().map(resolver).toList();
  }

  /** An answer from the group's leader (anything but a follower's or a busy server's refusal). */
  static boolean counts(ShardKvReply r) {
    return !(r instanceof ShardKvReply.Kv kv) || kv.reply().isResult()
        || kv.reply() instanceof kvraft.KvReply.Rejected;
  }
}
