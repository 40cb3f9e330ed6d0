package raft.core;

/** The role a peer plays in its current term. */
public enum RaftRole {
  FOLLOWER,
  CANDIDATE,
  LEADER
}
