package node;

import java.util.Optional;
import shardkv.ShardStatus;

/**
 * Where one shard of a configuration stands, as its owning group sees it ({@code GET /admin/shard}).
 *
 * @param shard the shard's index
 * @param gid its group in the configuration ({@link shardctrl.ShardConfig#NO_GROUP}: unassigned)
 * @param status the owner's state of the shard; empty if unassigned or no replica of the owner answered
 * @param appliedNum the configuration the owner's answering replica has applied (-1: none answered);
 *     below the configuration's number the owner has not taken the shard over yet ({@code ABSENT})
 * @param leader the owner's leader by server name ({@code g100|n1}), if a replica knows it
 */
public record ShardState(int shard, int gid, Optional<ShardStatus> status, long appliedNum, Optional<String> leader) {}
