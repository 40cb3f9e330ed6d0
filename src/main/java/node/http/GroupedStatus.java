package node.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import raft.core.RaftStatus;

/**
 * A node's client that hosts replicas of several groups (a sharded node: the controller's and the
 * shard groups'): the status of each local replica under its group. A {@link RaftStatus} names no
 * group, and a sharded node's replicas all carry the node's name as peer id, so without the group
 * the polled metrics of one replica would overwrite another's ({@link NodeMetrics#observe(Map)}).
 */
public interface GroupedStatus {
  /** The statuses of the local replicas that answered, by group. */
  CompletionStage<Map<GroupId, List<RaftStatus>>> statusByGroup();
}
