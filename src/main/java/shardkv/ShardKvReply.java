package shardkv;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import kvraft.KvReply;
import wire.CborSerializable;

/** What applying a {@link ShardKvCommand} gives. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ShardKvReply.Kv.class, name = "Kv"),
  @JsonSubTypes.Type(value = ShardKvReply.WrongGroup.class, name = "WrongGroup"),
  @JsonSubTypes.Type(value = ShardKvReply.Applied.class, name = "Applied"),
  @JsonSubTypes.Type(value = ShardKvReply.Ignored.class, name = "Ignored"),
  @JsonSubTypes.Type(value = ShardKvReply.NotYet.class, name = "NotYet"),
})
public sealed interface ShardKvReply extends CborSerializable {

  /** The result of a client's operation on a shard this group serves. */
  record Kv(KvReply reply) implements ShardKvReply {}

  /**
   * The key's shard is not served here in configuration {@code configNum}: another group owns it,
   * or it is still on its way (or being handed over). The client refreshes its configuration.
   */
  record WrongGroup(long configNum) implements ShardKvReply {}

  /** A reconfiguration step (config change, chunk, delete, GC) took effect; {@code configNum} is the current one. */
  record Applied(long configNum) implements ShardKvReply {}

  /**
   * The step is not for this group's state (an old or repeated one, or a config that is not the
   * next): nothing changed. For a {@link ShardKvCommand.DeleteShard} of a shard already dropped, the
   * answer is {@link Applied} (deletes are idempotent).
   */
  record Ignored(long configNum) implements ShardKvReply {}

  /** The step is for a configuration this group has not reached yet ({@code configNum} is where it is): retry later. */
  record NotYet(long configNum) implements ShardKvReply {}
}
