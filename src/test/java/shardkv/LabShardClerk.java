package shardkv;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kvraft.KvReply;
import raft.rsm.Envelope;
import shardctrl.CtrlCommand;
import shardctrl.CtrlReply;
import shardctrl.ShardConfig;
import testkit.cluster.LabProcesses;

/**
 * The lab's shardkv Clerk over {@link LabShardCluster}: the shipped {@link ShardKvClient} (lab
 * settings: 100 ms between rounds, no deadline) wired to the simulated network: a round at a group
 * tries each of its servers once, in order, until one gives a result or WrongGroup; the
 * configuration comes from Query(-1) at the controller's servers, tried in turn. Each call blocks
 * the calling tester process in virtual time.
 */
final class LabShardClerk implements LabShards.Clerk {
  private final LabShardCluster cfg;
  private final ShardKvClient client;
  private final int[] ctrl;
  private int ctrlLeader;

  LabShardClerk(LabShardCluster cfg, long clientId, LabCtrlClerk ctrlClerk) {
    this.cfg = cfg;
    this.ctrl = ctrlClerk.servers();
    long[] ids = {clientId};
    this.client = new ShardKvClient(cfg.mapping(), this::round, this::latest,
        (d, task) -> cfg.net().schedule(d.toMillis(), task), cfg::now, ShardKvClient.Settings.lab(), () -> ids[0]++);
  }

  ShardKvClient client() {
    return client;
  }

  @Override
  public String get(String key) {
    KvReply r = await(client.get(key));
    return r instanceof KvReply.Value v ? v.value() : "";
  }

  @Override
  public void put(String key, String value) {
    await(client.put(key, value));
  }

  @Override
  public void append(String key, String value) {
    await(client.append(key, value));
  }

  KvReply scan(String from, String to, int limit) {
    return await(client.scan(from, to, limit));
  }

  private KvReply await(CompletionStage<KvReply> stage) {
    cfg.procs().checkOpen();
    LabProcesses.Promise<KvReply> p = cfg.procs().promise();
    stage.whenComplete((r, e) -> p.complete(r));
    return cfg.awaitPromise(p);
  }

  private CompletionStage<ShardKvReply> round(int gid, List<String> servers, ShardKvCommand.ClientOp op) {
    CompletableFuture<ShardKvReply> out = new CompletableFuture<>();
    tryServer(servers, 0, new Envelope<>(op.clientId(), op.seq(), op), out);
    return out;
  }

  private void tryServer(List<String> servers, int i, Envelope<ShardKvCommand> request,
      CompletableFuture<ShardKvReply> out) {
    if (i == servers.size()) {
      out.complete(null);
      return;
    }
    cfg.call(LabShardCluster.index(servers.get(i)), request, r -> {
      if (r instanceof ShardKvReply.Kv || r instanceof ShardKvReply.WrongGroup) out.complete((ShardKvReply) r);
      else tryServer(servers, i + 1, request, out);
    });
  }

  private CompletionStage<ShardConfig> latest() {
    CompletableFuture<ShardConfig> out = new CompletableFuture<>();
    queryCtrl(0, out);
    return out;
  }

  private void queryCtrl(int tried, CompletableFuture<ShardConfig> out) {
    if (tried == ctrl.length) {
      out.complete(null);
      return;
    }
    cfg.call(ctrl[ctrlLeader], new Envelope<>(0, 0, CtrlCommand.Query.LATEST), r -> {
      if (r instanceof CtrlReply.Config c) {
        out.complete(c.config());
      } else {
        ctrlLeader = (ctrlLeader + 1) % ctrl.length;
        queryCtrl(tried + 1, out);
      }
    });
  }
}
