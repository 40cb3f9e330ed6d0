package raft.core;

import raft.message.RaftMessage;

/** One role's behaviour (etcd's stepFollower/tickElection pointers, as classes). */
interface Role {
  RaftRole kind();

  /** One tick of logical time. */
  void tick(RaftNode node);

  /** A message of the node's current term (older and newer terms are handled by RaftNode). */
  void step(RaftNode node, RaftMessage m);
}
