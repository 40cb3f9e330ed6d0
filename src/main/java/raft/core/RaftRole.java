package raft.core;

/** The role a peer plays in its current term. */
public enum RaftRole {
  FOLLOWER,
  /** Asking for pre-votes (thesis §9.6): a follower in all but name, its term unchanged. */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
