package kvraft;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/**
 * Every answer a KV server gives: the results of applied commands ({@link Value}, {@link NoKey},
 * {@link Done}, {@link CasResult}, {@link Scanned}) and the typed reasons a command was not
 * applied ({@link WrongLeader}, {@link Busy}, {@link Rejected}, {@link Timeout},
 * {@link SessionExpired}). No error
 * strings to parse.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = KvReply.Value.class, name = "Value"),
  @JsonSubTypes.Type(value = KvReply.NoKey.class, name = "NoKey"),
  @JsonSubTypes.Type(value = KvReply.Done.class, name = "Done"),
  @JsonSubTypes.Type(value = KvReply.CasResult.class, name = "CasResult"),
  @JsonSubTypes.Type(value = KvReply.Scanned.class, name = "Scanned"),
  @JsonSubTypes.Type(value = KvReply.WrongLeader.class, name = "WrongLeader"),
  @JsonSubTypes.Type(value = KvReply.Busy.class, name = "Busy"),
  @JsonSubTypes.Type(value = KvReply.Rejected.class, name = "Rejected"),
  @JsonSubTypes.Type(value = KvReply.Timeout.class, name = "Timeout"),
  @JsonSubTypes.Type(value = KvReply.SessionExpired.class, name = "SessionExpired"),
})
public sealed interface KvReply extends CborSerializable {

  /** Whether the command was applied and this is its result. */
  @JsonIgnore
  default boolean isResult() {
    return false;
  }

  /** The value of a key. */
  record Value(String value) implements KvReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** The key is absent. */
  record NoKey() implements KvReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** A write was applied (now, or earlier for a retried request). */
  record Done() implements KvReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** A compare-and-set: whether it swapped, and the value it found ({@code null}: absent). */
  record CasResult(boolean swapped, String previous) implements KvReply {
    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** One key and its value. */
  record Entry(String key, String value) {}

  /** What a scan found, in key order; {@code more} says the limit cut it short. */
  record Scanned(List<Entry> entries, boolean more) implements KvReply {
    public Scanned {
      entries = List.copyOf(entries);
    }

    @Override
    public boolean isResult() {
      return true;
    }
  }

  /** This server does not lead its group; try the hinted one (or another) with the same sequence number. */
  record WrongLeader(Optional<PeerId> leaderHint) implements KvReply {}

  /** The server holds too many proposals; retry shortly. */
  record Busy() implements KvReply {}

  /** The request is malformed or too large; retrying cannot help. */
  record Rejected(String reason) implements KvReply {}

  /** No answer in time; the command may or may not have been applied (retry with the same sequence number). */
  record Timeout() implements KvReply {}

  /**
   * The replicas no longer hold this client's session (too many other clients wrote since it last
   * did), so the write was refused, not applied. Earlier writes of the session that were never
   * answered may or may not have been applied. {@link AkkaKvClient} opens a new session and sends
   * the write again when this answers its first attempt; after a retry it returns this.
   */
  record SessionExpired() implements KvReply {}

  NoKey NO_KEY = new NoKey();
  Done DONE = new Done();
  Busy BUSY = new Busy();
  Timeout TIMEOUT = new Timeout();
  SessionExpired SESSION_EXPIRED = new SessionExpired();
}
