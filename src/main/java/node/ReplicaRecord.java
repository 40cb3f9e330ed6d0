package node;

import java.util.List;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import shardctrl.CtrlReply;

/**
 * Where a {@link ReplicaMove} reads and writes a group's servers: the controller's durable record
 * of the group's members and of every id it ever used, written before a replica exists. A shard
 * group's is its entry in the controller's configurations ({@link ShardGroupRecord}); the
 * controller's own is a record in its state machine ({@link ControllerRecord}).
 */
interface ReplicaRecord {
  /** The Raft group whose replica moves. */
  GroupId group();

  /** The gid refusals about it carry (0 for the controller). */
  int gid();

  /** How the group's servers are asked for members, a membership change and a leadership transfer. */
  AkkaGroupAdmin.Protocol<?> protocol();

  /** The controller's answer that lists the group's servers now (or what it answered instead). */
  CompletionStage<CtrlReply> read();

  /** Lists {@code server} for the group, refused {@code ServerUsedBefore} if it ever was. */
  CompletionStage<CtrlReply> add(String server);

  /** Drops {@code server} from the group's list. */
  CompletionStage<CtrlReply> remove(String server);

  /** Whether {@code reply} is a listing ({@link #read}, {@link #add} or {@link #remove} done). */
  boolean lists(CtrlReply reply);

  /** The servers (entity ids) a listing names for the group; null if it has no such group. */
  List<String> serversIn(CtrlReply listing);
}
