package testkit.net;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import wire.CborSerializable;

/**
 * One end of the {@link SimNetwork}: draws the fate of each request from its seeded generator and
 * hands the request to a fresh call actor, which delays, drops or delivers it and then relays or
 * drops the reply.
 */
final class NetEnd {
  static final int MAX_DELAY_MS = 27; // labrpc: rand % 27
  static final int DROP_PERMILLE = 100;
  /** A call actor gives up on a reply after this long (the server is gone or ignored the request). */
  static final Duration REPLY_WAIT = Duration.ofSeconds(30);

  private NetEnd() {}

  static <Req> Behavior<Req> create(ActorRef<Req> target, Rerouter<Req> rerouter, SimNetwork net,
      AtomicBoolean enabled, SplittableRandom random) {
    return Behaviors.receive((ctx, request) -> {
      net.countRpc();
      // Always draw all three, so one end's choices depend only on its seed and request count.
      int delay = random.nextInt(MAX_DELAY_MS);
      boolean dropRequest = random.nextInt(1000) < DROP_PERMILLE;
      boolean dropReply = random.nextInt(1000) < DROP_PERMILLE;
      boolean unreliable = !net.isReliable();
      if (net.shortcut()) {
        if (enabled.get()) {
          net.countDispatched();
          target.tell(request);
        }
        return Behaviors.same();
      }
      Fate fate = unreliable ? new Fate(delay, dropRequest, dropReply) : Fate.RELIABLE;
      ctx.spawnAnonymous(call(request, target, rerouter, net, enabled, fate));
      return Behaviors.same();
    });
  }

  /** What the network does to one call. */
  record Fate(int delayMs, boolean dropRequest, boolean dropReply) {
    static final Fate RELIABLE = new Fate(0, false, false);
  }

  /** The call actor's own timer message. */
  public enum Tick implements CborSerializable { INSTANCE }

  private static <Req> Behavior<Object> call(Req request, ActorRef<Req> target, Rerouter<Req> rerouter,
      SimNetwork net, AtomicBoolean enabled, Fate fate) {
    return Behaviors.setup(ctx -> {
      if (fate.delayMs() == 0) {
        return deliver(ctx.getSelf(), request, target, rerouter, net, enabled, fate, ctx);
      }
      ctx.scheduleOnce(Duration.ofMillis(fate.delayMs()), ctx.getSelf(), Tick.INSTANCE);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Tick.INSTANCE, () -> deliver(ctx.getSelf(), request, target, rerouter, net, enabled, fate, ctx))
          .build();
    });
  }

  private static <Req> Behavior<Object> deliver(ActorRef<Object> self, Req request, ActorRef<Req> target,
      Rerouter<Req> rerouter, SimNetwork net, AtomicBoolean enabled, Fate fate,
      akka.actor.typed.javadsl.ActorContext<Object> ctx) {
    if (!enabled.get() || fate.dropRequest()) {
      return Behaviors.stopped();
    }
    Rerouter.Rerouted<Req> r = rerouter.reroute(request, self);
    net.countDispatched();
    target.tell(r.request());
    if (r.replyTo() == null) {
      return Behaviors.stopped();
    }
    ctx.setReceiveTimeout(REPLY_WAIT, Tick.INSTANCE);
    return Behaviors.receive(Object.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::stopped)
        .onAnyMessage(reply -> {
          if (enabled.get() && !fate.dropReply()) {
            r.replyTo().tell(reply);
          }
          return Behaviors.stopped();
        })
        .build();
  }
}
