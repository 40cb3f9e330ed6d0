package node;

import java.util.Optional;
import shardkv.ShardKvServer;

/**
 * How one replica of a shard group holds the shards ({@code GET /admin/groups/{gid}/shards}): the
 * configuration it applied, each shard's state and key count there. A replica that gave a shard
 * away holds it {@code BEPULLED} until the new owner has it deleted, then {@code ABSENT} with no
 * keys; so once migrations settle, a group holds keys only for the shards it owns.
 *
 * @param server the replica's server name ({@code g100|n1})
 * @param leader whether it said it leads its group when asked
 * @param shards its applied configuration number and shard states; empty if it did not answer
 */
public record ReplicaShards(String server, boolean leader, Optional<ShardKvServer.Shards> shards) {}
