package testkit.net;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * labrpc for actors (lab-scenarios §1.1): clients talk to a server through <em>ends</em>, one proxy
 * actor per end. An end is transparent ({@code ActorRef<Req>} like the server itself); for every
 * request it spawns a short-lived call actor that carries the request to the server and the reply
 * back, so both directions can be lost.
 *
 * <p>Unreliable mode, as labrpc's {@code Reliable(false)}: each request waits a uniform 0–26 ms,
 * then 10 % of requests are dropped before the handler runs; of the replies, 10 % are dropped
 * after the handler ran. A disabled end (a deleted client or a disconnected peer) delivers nothing
 * and no reply comes back. Callers time out and resend. Every random choice is drawn from the
 * network's seed: each end gets its own generator split from it in creation order.
 */
public final class SimNetwork {
  private final SplittableRandom seeds;
  private final Spawner spawner;
  private final AtomicBoolean reliable = new AtomicBoolean(true);
  private final AtomicBoolean shortcutWhenReliable = new AtomicBoolean(false);
  private final AtomicLong rpcs = new AtomicLong();
  private final AtomicLong dispatched = new AtomicLong();
  private final AtomicLong endNames = new AtomicLong();

  /** Where end and call actors live. */
  public interface Spawner {
    <T> ActorRef<T> spawn(Behavior<T> behavior, String name);

    static Spawner of(ActorTestKit testKit) {
      return testKit::spawn;
    }
  }

  public SimNetwork(long seed, Spawner spawner) {
    this.seeds = new SplittableRandom(seed);
    this.spawner = spawner;
  }

  public void setReliable(boolean on) {
    reliable.set(on);
  }

  public boolean isReliable() {
    return reliable.get();
  }

  /**
   * While reliable, let ends forward requests unchanged (no call actor), so replies go straight to
   * the caller. Halves the messages per call for throughput-bound scenarios (100,000 clerks), at the
   * price that disabling an end no longer stops a reply already on its way. Off by default.
   */
  public void setShortcutWhenReliable(boolean on) {
    shortcutWhenReliable.set(on);
  }

  boolean shortcut() {
    return shortcutWhenReliable.get() && reliable.get();
  }

  /** Requests sent through any end. */
  public long rpcCount() {
    return rpcs.get();
  }

  /** Requests that reached the server (handler invoked). */
  public long dispatchedCount() {
    return dispatched.get();
  }

  /** A new end to {@code target}, enabled, with a random 20-character name (labrpc's makeEnd + Connect). */
  public synchronized <Req> End<Req> makeEnd(ActorRef<Req> target, Rerouter<Req> rerouter) {
    SplittableRandom random = seeds.split();
    StringBuilder name = new StringBuilder(20);
    for (int i = 0; i < 20; i++) {
      name.append((char) ('a' + random.nextInt(26)));
    }
    AtomicBoolean enabled = new AtomicBoolean(true);
    String actorName = "end-" + endNames.incrementAndGet() + "-" + name;
    ActorRef<Req> ref = spawner.spawn(NetEnd.create(target, rerouter, this, enabled, random), actorName);
    return new End<>(name.toString(), ref, enabled);
  }

  void countRpc() {
    rpcs.incrementAndGet();
  }

  void countDispatched() {
    dispatched.incrementAndGet();
  }

  /** One client's end: pass {@link #ref()} to the client as if it were the server. */
  public record End<Req>(String name, ActorRef<Req> ref, AtomicBoolean enabledFlag) {
    public void enable(boolean on) {
      enabledFlag.set(on);
    }

    public boolean isEnabled() {
      return enabledFlag.get();
    }
  }
}
