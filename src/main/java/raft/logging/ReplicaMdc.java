package raft.logging;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.Signal;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.Map;
import org.slf4j.MDC;
import raft.GroupId;
import raft.PeerId;

/**
 * The one place that names the replica's MDC keys and puts them on an actor. The text pattern's
 * {@code %replica} ({@link ReplicaConverter}) and the JSON fields group, peer and term read them.
 */
public final class ReplicaMdc {
  public static final String GROUP = "groupId";
  public static final String PEER = "peerId";
  /** Set per line by {@link Slf4jRaftLogger}: only the core knows the term at that moment. */
  public static final String TERM = "term";

  private ReplicaMdc() {}

  public static Map<String, String> of(GroupId group, PeerId peer) {
    return Map.of(GROUP, group.id(), PEER, peer.id());
  }

  /**
   * {@code behavior} with groupId and peerId in the MDC while it handles any message, not only
   * its protocol's. An event-sourced actor (RaftPeer, ReplicaEntity) recovers and runs its
   * {@code thenRun} callbacks on the journal's replies, which reach it as other classes:
   * {@code Behaviors.withMdc(Command.class, ...)} lets them through without the MDC, and the
   * Raft steps run after each write log from there.
   *
   * <p>Not {@code Behaviors.withMdc}: that one clears the whole MDC after every message, so with
   * Logback the next message builds a new MDC map (two maps and a thread-local entry per message,
   * on every message of the replicas and peers). This one puts the two keys and afterwards puts
   * back what they held before (nothing, usually: removed), so the thread keeps its map.
   */
  public static <T> Behavior<T> wrap(GroupId group, PeerId peer, Behavior<T> behavior) {
    // Erased to Object so that the interceptor's message class is Object: it sees every message.
    @SuppressWarnings("unchecked")
    Behavior<Object> any = (Behavior<Object>) (Behavior<?>) behavior;
    String groupId = group.id();
    String peerId = peer.id();
    @SuppressWarnings("unchecked")
    Behavior<T> wrapped = (Behavior<T>) (Behavior<?>) Behaviors.intercept(() -> new Interceptor(groupId, peerId), any);
    return wrapped;
  }

  /** Puts group and peer for one message or signal, then restores the two keys. */
  private static final class Interceptor extends BehaviorInterceptor<Object, Object> {
    private final String group;
    private final String peer;

    Interceptor(String group, String peer) {
      super(Object.class);
      this.group = group;
      this.peer = peer;
    }

    @Override
    public Behavior<Object> aroundReceive(TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
      return within(() -> target.apply(ctx, msg));
    }

    @Override
    public Behavior<Object> aroundSignal(TypedActorContext<Object> ctx, Signal signal, SignalTarget<Object> target) {
      return within(() -> target.apply(ctx, signal));
    }

    /** Runs {@code inner} with this replica's group and peer in the MDC, then puts back what the two keys held. */
    private Behavior<Object> within(java.util.function.Supplier<Behavior<Object>> inner) {
      String outerGroup = MDC.get(GROUP);
      String outerPeer = MDC.get(PEER);
      enter();
      try {
        return inner.get();
      } finally {
        leave(outerGroup, outerPeer);
      }
    }

    private void enter() {
      MDC.put(GROUP, group);
      MDC.put(PEER, peer);
    }

    private static void leave(String outerGroup, String outerPeer) {
      restore(GROUP, outerGroup);
      restore(PEER, outerPeer);
    }

    private static void restore(String key, String outer) {
      if (outer == null) MDC.remove(key);
      else MDC.put(key, outer);
    }
  }
}
