package shardkv;

import java.util.List;
import kvraft.KvCommand;
import kvraft.KvReply;
import shardctrl.ShardConfig;

/**
 * What a shard group puts in its Raft log. Every command that depends on the group's
 * configuration carries the configuration number it was made for and is checked when applied,
 * never when proposed (design §3.3, rule 7): a command made for another configuration changes
 * nothing.
 */
public sealed interface ShardKvCommand {

  /**
   * A client's operation. The group deduplicates writes itself, per shard (the sessions travel with
   * the shard), so {@code clientId}/{@code seq} ride in the command: seq 0 for reads. {@code shard}
   * is the shard the client means: for a key operation it must be the key's shard (else the group
   * answers WrongGroup); for a Scan it names which shard's part of the range to walk.
   */
  record ClientOp(long clientId, long seq, int shard, KvCommand op) implements ShardKvCommand {

    /** A key operation, on the key's shard under {@code mapping}. */
    public static ClientOp of(ShardMapping mapping, long clientId, long seq, KvCommand op) {
      return new ClientOp(clientId, seq, mapping.shardOf(ShardKvStateMachine.keyOf(op)), op);
    }
  }

  /** Move to configuration {@code config}; applied only if it is the current one + 1 and no shard is in transit. */
  record ConfigChange(ShardConfig config) implements ShardKvCommand {}

  /**
   * One chunk of shard {@code shard} pulled from its owner in configuration {@code num - 1}: the
   * entries with keys from {@code fromKey} (the shard's install cursor, "" for the first chunk) on,
   * in key order; the first chunk also carries the shard's client sessions. {@code last}: the shard
   * is complete and is served from now on.
   */
  record InstallChunk(long num, int shard, String fromKey, List<KvReply.Entry> entries, List<Session> sessions,
      boolean last) implements ShardKvCommand {
    public InstallChunk {
      entries = List.copyOf(entries);
      sessions = List.copyOf(sessions);
    }
  }

  /** The new owner of {@code shard} in configuration {@code num} has it: drop the frozen copy (at the old owner). */
  record DeleteShard(long num, int shard) implements ShardKvCommand {}

  /** The old owner confirmed it deleted {@code shard} of configuration {@code num}: GCING becomes SERVING. */
  record GcDone(long num, int shard) implements ShardKvCommand {}

  /** A client's last applied write on one shard: its sequence number and result. */
  record Session(long clientId, long seq, KvReply result) {}
}
