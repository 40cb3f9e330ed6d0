package shardkv;

import raft.rsm.Envelope;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;

/** The lab's shardctrler Clerk over {@link LabShardCluster}: tries the controller's servers in turn until one answers. */
final class LabCtrlClerk implements LabShards.CtrlClerk {
  private final LabShardCluster cfg;
  private final long clientId;
  private final int[] servers;
  private int leader;
  private long seq;

  LabCtrlClerk(LabShardCluster cfg, long clientId, int[] servers) {
    this.cfg = cfg;
    this.clientId = clientId;
    this.servers = servers;
  }

  int[] servers() {
    return servers.clone();
  }

  @Override
  public ShardConfig query(long num) {
    return ((CtrlReply.Config) execute(new CtrlCommand.Query(num), 0)).config();
  }

  @Override
  public CtrlReply call(CtrlCommand c) {
    CtrlReply r = execute(c, ++seq);
    if (!(r instanceof CtrlReply.Config)) throw new AssertionError(c + " refused: " + r);
    return r;
  }

  private CtrlReply execute(CtrlCommand c, long s) {
    Envelope<CtrlCommand> e = new Envelope<>(clientId, s, c);
    int failed = 0;
    while (true) {
      cfg.procs().checkOpen();
      Object r = cfg.await(servers[leader], e);
      if (r instanceof CtrlReply reply && reply.isResult()) return reply;
      leader = (leader + 1) % servers.length;
      if (++failed % servers.length == 0) cfg.sleep(100);
    }
  }
}
