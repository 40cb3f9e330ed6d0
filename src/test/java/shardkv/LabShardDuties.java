package shardkv;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import raft.rsm.Envelope;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/**
 * What a shard group's leader does every 100 ms (the lab's background goroutines), for one server
 * incarnation: (1) when no shard is in transit, Query(current + 1) at the controller and propose it
 * as a ConfigChange (so configurations enter the log one at a time, in order); (2) for each PULLING
 * shard, pull the next chunk from a server of its owner in the previous configuration and propose
 * it as an InstallChunk, and pull the following chunk as soon as that one is applied; (3) for each
 * GCING shard, have the previous owner log DeleteShard, then propose GcDone. Every proposal is
 * checked when applied, so a stale or repeated one (a new leader that has not applied everything,
 * a retried chunk) changes nothing.
 *
 * <p>Unlike {@link ShardKvDuties}, which watches the controller (a long poll), this polls: the
 * harness's controller is the lab's, a state machine behind labrpc calls that answer at once, with
 * no Watch. The order is the same: only configuration current + 1 is ever proposed.
 */
final class LabShardDuties {
  private final LabShardCluster cluster;
  private final int chunkBytes;
  private boolean querying;
  private final Set<Integer> pulling = new HashSet<>();
  private final Set<Integer> deleting = new HashSet<>();
  /** Per group (gid; -1 the controller): the server that answered last, tried first next time. */
  private final java.util.Map<Integer, Integer> lastAnswered = new java.util.HashMap<>();

  LabShardDuties(LabShardCluster cluster, int chunkBytes) {
    this.cluster = cluster;
    this.chunkBytes = chunkBytes;
  }

  private static <C> Envelope<C> env(C c) {
    return new Envelope<>(0, 0, c);
  }

  void tick(LabRsmServer<ShardKvCommand, ShardKvReply> s) {
    if (!s.isLeader()) return;
    ShardKvStateMachine m = (ShardKvStateMachine) s.machine();
    if (m.settled() && !querying) {
      querying = true;
      long want = m.current().num() + 1;
      List<String> ctrl = java.util.Arrays.stream(cluster.ctrlServers(0)).mapToObj(LabShardCluster::name).toList();
      callGroup(-1, ctrl, env(new CtrlCommand.Query(want)), r -> {
        querying = false;
        if (r instanceof CtrlReply.Config c && c.config().num() == want && s.isLeader()) {
          s.propose(env(new ShardKvCommand.ConfigChange(c.config())), x -> {});
        }
      });
    }
    for (int shard : m.shardsIn(ShardStatus.PULLING)) if (pulling.add(shard)) pull(s, m, shard);
    for (int shard : m.shardsIn(ShardStatus.GCING)) {
      if (!deleting.add(shard)) continue;
      long num = m.current().num();
      callOwner(m.previous(), shard, env(new ShardKvCommand.DeleteShard(num, shard)), r -> {
        deleting.remove(shard);
        if (r instanceof ShardKvReply.Applied && s.isLeader()) s.propose(env(new ShardKvCommand.GcDone(num, shard)), x -> {});
      });
    }
  }

  private void callOwner(ShardConfig prev, int shard, Object request, java.util.function.Consumer<Object> done) {
    int gid = prev.gidOf(shard);
    callGroup(gid, prev.groups().get(gid), request, done);
  }

  /**
   * One round at a group, like the clerk's: the server that answered last first, then the others
   * in order, until one answers (a non-leader answers nothing); null if none did.
   */
  private void callGroup(int gid, List<String> servers, Object request, java.util.function.Consumer<Object> done) {
    int first = lastAnswered.getOrDefault(gid, 0) % servers.size();
    tryServer(gid, servers, first, 0, request, done);
  }

  private void tryServer(int gid, List<String> servers, int at, int tried, Object request,
      java.util.function.Consumer<Object> done) {
    if (tried == servers.size()) {
      done.accept(null);
      return;
    }
    int i = (at + tried) % servers.size();
    cluster.call(LabShardCluster.index(servers.get(i)), request, r -> {
      if (r == null || r instanceof ShardPull.NotYet) {
        tryServer(gid, servers, at, tried + 1, request, done);
      } else {
        lastAnswered.put(gid, i);
        done.accept(r);
      }
    });
  }

  private void pull(LabRsmServer<ShardKvCommand, ShardKvReply> s, ShardKvStateMachine m, int shard) {
    long num = m.current().num();
    ShardPull.Request req = new ShardPull.Request(num, shard, m.cursor(shard), chunkBytes);
    callOwner(m.previous(), shard, req, r -> {
      if (!(r instanceof ShardPull.Chunk c) || !s.isLeader()) {
        pulling.remove(shard);
        return;
      }
      s.propose(env(c.install()), applied -> {
        if (applied instanceof ShardKvReply.Applied && !c.last() && s.isLeader()
            && m.current().num() == num && m.status(shard) == ShardStatus.PULLING) {
          pull(s, m, shard); // the next chunk at once
        } else {
          pulling.remove(shard);
        }
      });
    });
  }
}
