package node;

import java.util.List;
import java.util.concurrent.CompletionStage;
import raft.GroupId;
import shardctrl.CtrlReply;
import shardctrl.ShardCtrlClient;

/**
 * The controller's own servers as its state machine records them ({@code AddController},
 * {@code RemoveController}). Until a first move records them, the servers are {@code bootstrap}
 * (the config file's {@code raftkv.sharded.controller}, as entity ids), which the first {@code
 * AddController} carries so the record starts with them marked used: they voted.
 */
record ControllerRecord(ShardCtrlClient controller, List<String> bootstrap) implements ReplicaRecord {
  ControllerRecord {
    bootstrap = List.copyOf(bootstrap);
  }

  /** The record of {@code spec}'s controller: its config file list is the bootstrap. */
  static ControllerRecord of(ShardCtrlClient controller, ShardedSpec spec) {
    return new ControllerRecord(controller, ShardedBootstrap.serverNames(ShardedSpec.CONTROLLER,
        ShardedSpec.replicas(spec.controller())));
  }

  @Override
  public GroupId group() {
    return ShardedSpec.CONTROLLER;
  }

  @Override
  public int gid() {
    return CtrlReply.Controllers.GID;
  }

  @Override
  public AkkaGroupAdmin.Protocol<?> protocol() {
    return ReplicaMove.SHARD_CTRL;
  }

  @Override
  public CompletionStage<CtrlReply> read() {
    return controller.controllers();
  }

  @Override
  public CompletionStage<CtrlReply> add(String server) {
    return controller.addController(server, bootstrap);
  }

  @Override
  public CompletionStage<CtrlReply> remove(String server) {
    return controller.removeController(server);
  }

  @Override
  public boolean lists(CtrlReply reply) {
    return reply instanceof CtrlReply.Controllers;
  }

  @Override
  public List<String> serversIn(CtrlReply listing) {
    List<String> recorded = ((CtrlReply.Controllers) listing).servers();
    return recorded.isEmpty() ? bootstrap : recorded;
  }
}
