package raft.message;

import raft.PeerId;

/**
 * The answer to an {@link AppendEntries}. On success, {@code matchIndex} is the last index the
 * follower now knows matches the leader. On rejection, {@code rejectedIndex} is the request's
 * prevLogIndex and the conflict hint lets the leader back up a whole term at once: the
 * follower's term at rejectedIndex ({@code conflictTerm}, 0 if its log is too short) and the
 * first index it holds with that term ({@code conflictIndex}; its lastIndex+1 if too short).
 */
public record AppendEntriesResponse(
    long term,
    PeerId from,
    PeerId to,
    boolean success,
    long matchIndex,
    long rejectedIndex,
    long conflictTerm,
    long conflictIndex)
    implements RaftMessage {

  public static AppendEntriesResponse accepted(long term, PeerId from, PeerId to, long matchIndex) {
    return new AppendEntriesResponse(term, from, to, true, matchIndex, 0, 0, 0);
  }

  public static AppendEntriesResponse rejected(
      long term, PeerId from, PeerId to, long rejectedIndex, long conflictTerm, long conflictIndex) {
    return new AppendEntriesResponse(term, from, to, false, 0, rejectedIndex, conflictTerm, conflictIndex);
  }

  @Override
  public boolean isRequest() {
    return false;
  }

  @Override
  public String describe() {
    return "AppendEntriesResponse " + from + "->" + to + " term " + term
        + (success ? " match " + matchIndex
            : " rejected prev " + rejectedIndex + " [conflict term " + conflictTerm + ", index " + conflictIndex + "]");
  }
}
