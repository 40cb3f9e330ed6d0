package shardctrl;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import raft.core.RaftStatus;

/**
 * What shard groups, clients and admin tools call (the lab's shardctrler Clerk), with no Akka type
 * in sight. Every operation is linearizable and every write applied at most once (client id and
 * sequence number, retried on another replica with the same numbers until the deadline).
 *
 * <p>A stage completes with {@link CtrlReply.Config} (the configuration asked for or made), with a
 * {@link CtrlReply.Refusal} (the configuration is unchanged), {@link CtrlReply.Unchanged} for a
 * watch that timed out, {@link CtrlReply.Rejected}, or {@link CtrlReply.Timeout} when no replica
 * answered in time (a write may or may not have been applied). Never exceptionally for those.
 */
public interface ShardCtrlClient extends AutoCloseable {

  CompletionStage<CtrlReply> execute(CtrlCommand command);

  /** Adds groups (gid to its servers, in order) and rebalances. */
  default CompletionStage<CtrlReply> join(Map<Integer, List<String>> groups) {
    return execute(CtrlCommand.Join.of(groups));
  }

  /** Removes groups and rebalances. */
  default CompletionStage<CtrlReply> leave(Collection<Integer> gids) {
    return execute(new CtrlCommand.Leave(new TreeSet<>(gids)));
  }

  default CompletionStage<CtrlReply> leave(Integer... gids) {
    return leave(Arrays.asList(gids));
  }

  /** Puts one shard on one group; nothing else moves. */
  default CompletionStage<CtrlReply> move(int shard, int gid) {
    return execute(new CtrlCommand.Move(shard, gid));
  }

  /** Lists {@code server} among group {@code gid}'s servers (a name never listed for it before); shards unchanged. */
  default CompletionStage<CtrlReply> addServer(int gid, String server) {
    return execute(new CtrlCommand.AddServer(gid, server));
  }

  /** Drops {@code server} from group {@code gid}'s servers; shards unchanged. */
  default CompletionStage<CtrlReply> removeServer(int gid, String server) {
    return execute(new CtrlCommand.RemoveServer(gid, server));
  }

  /** Records node {@code node} at {@code address} ({@code host:port}); answers every registered node, or {@link CtrlReply.NodeNameInUse}. */
  default CompletionStage<CtrlReply> registerNode(String node, String address) {
    return execute(new CtrlCommand.RegisterNode(node, address));
  }

  /** Every registered node ({@link CtrlReply.Nodes}). */
  default CompletionStage<CtrlReply> registeredNodes() {
    return execute(CtrlCommand.Nodes.ALL);
  }

  /** Lists {@code server} among the controller's own servers (never listed before; the record seeded with {@code bootstrap}). */
  default CompletionStage<CtrlReply> addController(String server, List<String> bootstrap) {
    return execute(new CtrlCommand.AddController(server, bootstrap));
  }

  /** Drops {@code server} from the controller's own servers. */
  default CompletionStage<CtrlReply> removeController(String server) {
    return execute(new CtrlCommand.RemoveController(server));
  }

  /** The controller's own servers as recorded ({@link CtrlReply.Controllers}; empty: the bootstrap list stands). */
  default CompletionStage<CtrlReply> controllers() {
    return execute(new CtrlCommand.QueryControllers());
  }

  /** Configuration {@code num}; the latest for -1 or a number past the latest. */
  default CompletionStage<CtrlReply> query(long num) {
    return execute(new CtrlCommand.Query(num));
  }

  /**
   * The latest configuration, as soon as one numbered above {@code afterNum} is applied (it may be
   * further on than {@code afterNum + 1}: query the ones between if every step matters); {@link
   * CtrlReply.Unchanged} if none is made within {@code timeout}.
   */
  CompletionStage<CtrlReply> watch(long afterNum, Duration timeout);

  /** The Raft status of every controller replica that answered. */
  CompletionStage<List<RaftStatus>> status();

  /** Releases what the client holds; pending stages may complete with {@link CtrlReply.Timeout}. */
  @Override
  void close();
}
