package kvraft;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import wire.CborSerializable;

/**
 * The operations of the replicated KV store. Keys are kept in order (for {@link Scan}); keys and
 * values are strings (UTF-8 on the wire and in the log).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = KvCommand.Get.class, name = "Get"),
  @JsonSubTypes.Type(value = KvCommand.Put.class, name = "Put"),
  @JsonSubTypes.Type(value = KvCommand.Append.class, name = "Append"),
  @JsonSubTypes.Type(value = KvCommand.Delete.class, name = "Delete"),
  @JsonSubTypes.Type(value = KvCommand.Cas.class, name = "Cas"),
  @JsonSubTypes.Type(value = KvCommand.Scan.class, name = "Scan"),
})
public sealed interface KvCommand extends CborSerializable {

  /** The key this command touches; for a scan, where it starts. */
  String key();

  /** Whether the command only reads. */
  @JsonIgnore
  default boolean isRead() {
    return false;
  }

  /** Reads one key: {@link KvReply.Value} or {@link KvReply.NoKey}. */
  record Get(String key) implements KvCommand {
    @Override
    public boolean isRead() {
      return true;
    }
  }

  /** Sets one key: {@link KvReply.Done}. */
  record Put(String key, String value) implements KvCommand {}

  /** Appends to one key, an absent key counting as "": {@link KvReply.Done}. */
  record Append(String key, String value) implements KvCommand {}

  /** Removes one key if present: {@link KvReply.Done}. */
  record Delete(String key) implements KvCommand {}

  /**
   * Sets {@code key} to {@code value} if its current value equals {@code expected} ({@code null}:
   * only if the key is absent): {@link KvReply.CasResult} with the value found.
   */
  record Cas(String key, String expected, String value) implements KvCommand {}

  /**
   * The present keys in [{@code key}, {@code to}) in key order ({@code to == null}: to the end),
   * at most {@code limit} of them ({@code limit <= 0}: no limit): {@link KvReply.Scanned}.
   */
  record Scan(String key, String to, int limit) implements KvCommand {
    @Override
    public boolean isRead() {
      return true;
    }
  }
}
