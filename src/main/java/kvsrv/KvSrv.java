package kvsrv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.HashMap;
import java.util.Map;
import wire.CborSerializable;

/**
 * The single-server key/value store of lab 2 (the lab's {@code KVServer}): Get, Put and Append
 * (which returns the old value), each applied exactly once although clerks resend on every loss.
 *
 * <p>Duplicate detection keeps, per client, only the sequence number of its last Put/Append and,
 * if that was an Append, the old value it returned. A newer request of the client replaces both,
 * so at most one old value per client is retained. Gets are idempotent: they carry no client id
 * and leave no state behind. Put values are never cached.
 *
 * <p>{@link GetStatus} reports the bytes the server retains (map contents plus the duplicate
 * table), computed from the data structures by the rule in {@link Status}; the memory scenarios
 * assert on it instead of on the JVM heap.
 */
public final class KvSrv extends AbstractBehavior<KvSrv.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Reads {@code key}; an absent key reads as "". */
  public record Get(String key, ActorRef<Value> replyTo) implements Command {}

  /** Sets {@code key}. {@code seq} increases by one per Put/Append of {@code clientId}. */
  public record Put(String key, String value, long clientId, long seq, ActorRef<Done> replyTo) implements Command {}

  /** Appends to {@code key} and replies with the value before the append. */
  public record Append(String key, String value, long clientId, long seq, ActorRef<Value> replyTo)
      implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  public sealed interface Reply extends CborSerializable {}

  /** A value read by Get, or the old value replaced by Append. */
  public record Value(String value) implements Reply {}

  /** A Put was applied (now or earlier, for a resent request). */
  public enum Done implements Reply { INSTANCE }

  /**
   * What the server holds. {@code retainedBytes} = for each key {@link #ENTRY_BYTES} + UTF-8 bytes
   * of key and value, plus for each client session {@link #SESSION_BYTES} + UTF-8 bytes of its
   * cached old value. The fixed costs approximate the JVM objects per entry (map node, strings,
   * arrays; compressed oops).
   */
  public record Status(long retainedBytes, int keys, int sessions, long cachedReplyBytes) implements Reply {
    public static final int ENTRY_BYTES = 112;
    public static final int SESSION_BYTES = 72;
  }

  /** Last Put/Append of one client; {@code appendOld} is null unless it was an Append. */
  private record Session(long seq, String appendOld) {}

  // Owned by this actor only, never sent in a message: mutable for O(1) updates.
  private final Map<String, String> data = new HashMap<>();
  private final Map<Long, Session> sessions = new HashMap<>();

  public static Behavior<Command> create() {
    return Behaviors.setup(KvSrv::new);
  }

  private KvSrv(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(Put.class, this::onPut)
        .onMessage(Append.class, this::onAppend)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onGet(Get g) {
    g.replyTo().tell(new Value(data.getOrDefault(g.key(), "")));
    return this;
  }

  private Behavior<Command> onPut(Put p) {
    Session s = sessions.get(p.clientId());
    if (s != null && p.seq() <= s.seq()) {
      // Already applied: a client sends seq n+1 only after seq n was answered.
      getContext().getLog().debug("duplicate Put from client {} seq {} (last {})", p.clientId(), p.seq(), s.seq());
      p.replyTo().tell(Done.INSTANCE);
      return this;
    }
    data.put(p.key(), p.value());
    sessions.put(p.clientId(), new Session(p.seq(), null));
    p.replyTo().tell(Done.INSTANCE);
    return this;
  }

  private Behavior<Command> onAppend(Append a) {
    Session s = sessions.get(a.clientId());
    if (s != null && a.seq() <= s.seq()) {
      if (a.seq() == s.seq() && s.appendOld() != null) {
        getContext().getLog().debug("duplicate Append from client {} seq {}", a.clientId(), a.seq());
        a.replyTo().tell(new Value(s.appendOld()));
      } else {
        // An older resend overtaken by a newer request: its client no longer waits for it.
        getContext().getLog().debug("stale Append from client {} seq {} (last {}) ignored", a.clientId(), a.seq(),
            s.seq());
      }
      return this;
    }
    String old = data.getOrDefault(a.key(), "");
    data.put(a.key(), old.concat(a.value()));
    sessions.put(a.clientId(), new Session(a.seq(), old));
    a.replyTo().tell(new Value(old));
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    long bytes = 0;
    for (Map.Entry<String, String> e : data.entrySet()) {
      bytes += Status.ENTRY_BYTES + utf8Length(e.getKey()) + utf8Length(e.getValue());
    }
    long cached = 0;
    for (Session s : sessions.values()) {
      bytes += Status.SESSION_BYTES;
      if (s.appendOld() != null) {
        cached += utf8Length(s.appendOld());
      }
    }
    g.replyTo().tell(new Status(bytes + cached, data.size(), sessions.size(), cached));
    return this;
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
