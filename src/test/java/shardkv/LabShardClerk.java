package shardkv;

import java.util.List;
import kvraft.KvCommand;
import kvraft.KvReply;
import raft.rsm.Envelope;
import shardctrl.ShardConfig;

/**
 * The lab's shardkv Clerk over {@link LabShardCluster}: a cached configuration, the key's group
 * from it, each of the group's servers in turn; WrongGroup or no answer from any of them: sleep
 * 100 ms and ask the controller for the latest configuration. A write keeps its (clientId, seq)
 * across every retry and every group, so it is applied once even if its shard moves meanwhile.
 */
final class LabShardClerk {
  private final LabShardCluster cfg;
  private final long clientId;
  private final LabCtrlClerk ctrl;
  private ShardConfig config;
  private long seq;

  LabShardClerk(LabShardCluster cfg, long clientId, LabCtrlClerk ctrl) {
    this.cfg = cfg;
    this.clientId = clientId;
    this.ctrl = ctrl;
    this.config = ShardConfig.initial(LabShardCluster.N_SHARDS);
  }

  String get(String key) {
    KvReply r = execute(new KvCommand.Get(key), 0);
    return r instanceof KvReply.Value v ? v.value() : "";
  }

  void put(String key, String value) {
    execute(new KvCommand.Put(key, value), ++seq);
  }

  void append(String key, String value) {
    execute(new KvCommand.Append(key, value), ++seq);
  }

  private KvReply execute(KvCommand op, long s) {
    ShardKvCommand.ClientOp command = ShardKvCommand.ClientOp.of(LabShardCluster.MAPPING, clientId, s, op);
    Envelope<ShardKvCommand> request = new Envelope<>(clientId, s, command);
    while (true) {
      cfg.procs().checkOpen();
      List<String> servers = config.groups().get(config.gidOf(command.shard()));
      if (servers != null) {
        for (String server : servers) {
          Object r = cfg.await(LabShardCluster.index(server), request);
          if (r instanceof ShardKvReply.Kv kv) return kv.reply();
          if (r instanceof ShardKvReply.WrongGroup) break;
        }
      }
      cfg.sleep(100);
      config = ctrl.query(-1);
    }
  }
}
