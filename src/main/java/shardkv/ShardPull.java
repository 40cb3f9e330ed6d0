package shardkv;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import kvraft.KvReply;
import wire.CborSerializable;

/**
 * The pull of a shard between groups (design §3.3 step 3): the new owner asks the previous owner
 * for the shard as it was frozen when the previous owner applied configuration {@code num}.
 */
public final class ShardPull {
  private ShardPull() {}

  /** Entries of {@code shard} with keys from {@code fromKey} on, at most about {@code maxBytes} of them. */
  public record Request(long num, int shard, String fromKey, int maxBytes) implements CborSerializable {}

  /** The answer. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Chunk.class, name = "Chunk"),
    @JsonSubTypes.Type(value = NotYet.class, name = "NotYet"),
    @JsonSubTypes.Type(value = Gone.class, name = "Gone"),
  })
  public sealed interface Reply extends CborSerializable {}

  /** One chunk; {@code sessions} only in the chunk starting at "". {@code last}: nothing follows. */
  public record Chunk(long num, int shard, String fromKey, List<KvReply.Entry> entries,
      List<ShardKvCommand.Session> sessions, boolean last) implements Reply {
    public Chunk {
      entries = List.copyOf(entries);
      sessions = List.copyOf(sessions);
    }

    /** The log command that installs this chunk. */
    public ShardKvCommand.InstallChunk install() {
      return new ShardKvCommand.InstallChunk(num, shard, fromKey, entries, sessions, last);
    }
  }

  /** The owner has not applied configuration {@code num} yet ({@code configNum} is where it is): retry. */
  public record NotYet(long configNum) implements Reply {}

  /**
   * The owner holds no frozen copy of the shard for configuration {@code num}: it moved past it
   * (the shard was delivered and deleted) or never owned it. The puller does not install anything.
   */
  public record Gone(long configNum) implements Reply {}
}
