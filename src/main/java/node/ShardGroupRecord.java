package node;

import java.util.List;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import shardctrl.CtrlReply;
import shardctrl.ShardCtrlClient;

/** A shard group's servers as the controller's configurations list them ({@code AddServer}, {@code RemoveServer}). */
record ShardGroupRecord(ShardCtrlClient controller, int gid) implements ReplicaRecord {
  @Override
  public GroupId group() {
    return ShardedSpec.groupOf(gid);
  }

  @Override
  public AkkaGroupAdmin.Protocol<?> protocol() {
    return ReplicaMove.SHARD_KV;
  }

  @Override
  public CompletionStage<CtrlReply> read() {
    return controller.query(-1);
  }

  @Override
  public CompletionStage<CtrlReply> add(String server) {
    return controller.addServer(gid, server);
  }

  @Override
  public CompletionStage<CtrlReply> remove(String server) {
    return controller.removeServer(gid, server);
  }

  @Override
  public boolean lists(CtrlReply reply) {
    return reply instanceof CtrlReply.Config;
  }

  @Override
  public List<String> serversIn(CtrlReply listing) {
    return ((CtrlReply.Config) listing).config().groups().get(gid);
  }
}
