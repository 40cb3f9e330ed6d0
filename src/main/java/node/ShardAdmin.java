package node;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import shardkv.KeyRanges;

/**
 * An operator's handle on a sharded cluster: the controller's configuration and the groups in it.
 * Every answer is a {@link CtrlReply}: {@code Config} on success, a typed refusal (configuration
 * unchanged), {@code Rejected} for a request that cannot be carried out as asked, {@code Timeout}.
 */
public interface ShardAdmin {
  /** The latest configuration. */
  CompletionStage<CtrlReply> shards();

  /**
   * A new group {@code gid} with one replica on each of {@code nodes}: its replicas are created
   * (bootstrapped) on their nodes first, and only once all run is the group joined to the
   * controller, so no shard is ever given to a group that does not run.
   */
  CompletionStage<CtrlReply> joinGroup(int gid, List<String> nodes);

  /**
   * Group {@code gid} leaves the controller; its replicas are retired once every shard it held has
   * been pulled away by its new owners. Answers the configuration without the group once that is
   * done, or {@code Timeout} if it takes longer than the admin timeout (the retirement goes on).
   */
  CompletionStage<CtrlReply> leaveGroup(int gid);

  /** Shard {@code shard} to group {@code gid}; nothing else moves. */
  CompletionStage<CtrlReply> move(int shard, int gid);

  /**
   * A long poll on the controller: the first configuration numbered above {@code afterNum} ({@code
   * Config}) as soon as the controller has applied it, so a caller that asks again with its number
   * sees every configuration in turn; for {@code afterNum} -1 the latest at once. {@code Unchanged}
   * (with the latest number) if none is applied within {@code timeout}.
   */
  CompletionStage<CtrlReply> watch(long afterNum, Duration timeout);

  /**
   * How each of {@code shards} of {@code config} stands in its owning group (status, the
   * configuration the group applied, its leader), asked of the groups now; never fails: a group
   * that does not answer leaves its shards' status unknown.
   */
  CompletionStage<List<ShardState>> shardStates(ShardConfig config, List<Integer> shards);

  /**
   * How every replica of group {@code gid} (its servers in {@code config}, which names it) holds
   * each shard ({@link ReplicaShards}: leader or not, applied configuration, each shard's state and
   * keys), asked of the replicas now; never fails: a replica that does not answer has no shards.
   */
  CompletionStage<List<ReplicaShards>> groupShards(ShardConfig config, int gid);

  /** The key range of each shard when the cluster maps keys by range ({@code raftkv.sharded.key-ranges}). */
  Optional<KeyRanges> keyRanges();

  /**
   * Moves group {@code gid}'s replica on node {@code from} to node {@code to} by Raft membership
   * change under a fresh replica id ({@link ReplicaMove}); {@code from} need not be alive. Answers
   * the configuration that lists the group's new servers, or {@code UnknownGid}, {@code UnknownNode},
   * {@code NoReplicaOnNode}, {@code ReplicaOnNode}, {@code MoveInProgress}, {@code Rejected} (a
   * step failed; it says which and what was undone), {@code Timeout}. A group an earlier move left
   * half-done is repaired first ({@link MoveRepair}); if that finishes this move, its configuration
   * is the answer.
   */
  CompletionStage<CtrlReply> moveReplica(int gid, String from, String to);

  /**
   * Moves the controller's replica on node {@code from} to node {@code to}, by the same steps as a
   * shard group's ({@link ReplicaMove}; its ids recorded in the controller's own state). Answers
   * {@code Controllers} listing the controller's new servers, or the refusals of {@link #moveReplica}
   * with gid 0. Not every admin can ({@code Rejected} by default).
   */
  default CompletionStage<CtrlReply> moveControllerReplica(String from, String to) {
    return java.util.concurrent.CompletableFuture.completedFuture(
        new CtrlReply.Rejected("this admin cannot move the controller's replicas"));
  }

  /**
   * Moves every replica off node {@code node}, one group at a time, each to the node with the
   * fewest replicas among those without one of that group, the shard groups' first, then the
   * controller's; then the node can be stopped.
   */
  CompletionStage<NodeDrain> drainNode(String node);

  /**
   * Every node, whether it is Up and the replicas the latest configuration (and the controller's
   * placement) put on it, and the replica moves running through this node; a controller that does
   * not answer completes the stage with {@code null}.
   */
  CompletionStage<NodeReplicas> nodes();
}
