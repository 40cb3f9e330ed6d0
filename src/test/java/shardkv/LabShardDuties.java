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
 */
final class LabShardDuties {
  private final LabShardCluster cluster;
  private final int chunkBytes;
  private boolean querying;
  private final Set<Integer> pulling = new HashSet<>();
  private final Set<Integer> deleting = new HashSet<>();
  private int rotate;

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
      int[] ctrl = cluster.ctrlServers(0);
      cluster.call(ctrl[rotate++ % ctrl.length], env(new CtrlCommand.Query(want)), r -> {
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
      cluster.call(ownerServer(m.previous(), shard), env(new ShardKvCommand.DeleteShard(num, shard)), r -> {
        deleting.remove(shard);
        if (r instanceof ShardKvReply.Applied && s.isLeader()) s.propose(env(new ShardKvCommand.GcDone(num, shard)), x -> {});
      });
    }
  }

  private int ownerServer(ShardConfig prev, int shard) {
    List<String> servers = prev.groups().get(prev.gidOf(shard));
    // random, not round-robin: several shards in one tick would otherwise each keep hitting the same non-leader
    return LabShardCluster.index(servers.get(cluster.rand().nextInt(servers.size())));
  }

  private void pull(LabRsmServer<ShardKvCommand, ShardKvReply> s, ShardKvStateMachine m, int shard) {
    long num = m.current().num();
    ShardPull.Request req = new ShardPull.Request(num, shard, m.cursor(shard), chunkBytes);
    cluster.call(ownerServer(m.previous(), shard), req, r -> {
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
