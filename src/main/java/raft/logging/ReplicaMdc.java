package raft.logging;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.Map;
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
   */
  public static <T> Behavior<T> wrap(GroupId group, PeerId peer, Behavior<T> behavior) {
    // Erased to Object so that the interceptor's message class is Object: it sees every message.
    @SuppressWarnings("unchecked")
    Behavior<Object> any = (Behavior<Object>) (Behavior<?>) behavior;
    @SuppressWarnings("unchecked")
    Behavior<T> wrapped = (Behavior<T>) (Behavior<?>) Behaviors.withMdc(Object.class, of(group, peer), any);
    return wrapped;
  }
}
