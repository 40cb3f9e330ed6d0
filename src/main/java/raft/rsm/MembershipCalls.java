package raft.rsm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import raft.PeerId;
import raft.message.EntryKind;
import raft.message.LogEntry;
import raft.message.Membership;

/**
 * Operators' membership changes waiting for their entry to be applied on this (leading) replica,
 * so that the answer says the change is in force, not merely in the log. The peer's
 * {@code Accepted} comes back through an ask and may arrive after the entry was applied, so the
 * last few applied membership entries are remembered too. Mutable, owned by one actor.
 *
 * @param <T> whatever identifies the caller
 */
final class MembershipCalls<T> {
  /** Membership entries remembered after they were applied (more than a few in a row never happen: one change at a time). */
  private static final int RECENT = 16;

  record Answer<T>(T caller, AdminReply reply) {}

  private final PendingCalls<T> waiting = new PendingCalls<>();
  private final TreeMap<Long, LogEntry> recent = new TreeMap<>();
  private long appliedIndex;

  /** The change proposed as ({@code index}, {@code term}): its answer now if that entry was applied already. */
  Optional<AdminReply> accepted(long index, long term, T caller, Optional<PeerId> hint) {
    if (index > appliedIndex) {
      waiting.add(index, term, caller);
      return Optional.empty();
    }
    LogEntry e = recent.get(index);
    if (e != null && e.term() == term) return Optional.of(changed(e));
    return Optional.of(new AdminReply.NotLeader(hint)); // another leader's entry took the index, or it is long gone
  }

  /** Entry {@code e} was applied here; answers the calls it ends. */
  List<Answer<T>> applied(LogEntry e, Optional<PeerId> hint) {
    appliedIndex = Math.max(appliedIndex, e.index());
    if (e.kind() == EntryKind.CONF_CHANGE) {
      recent.put(e.index(), e);
      while (recent.size() > RECENT) recent.pollFirstEntry();
    }
    if (waiting.size() == 0) return List.of();
    List<Answer<T>> out = new ArrayList<>();
    for (PendingCalls.Finished<T> f : waiting.applied(e.index(), e.term())) {
      boolean ours = f.applied() && e.kind() == EntryKind.CONF_CHANGE;
      out.add(new Answer<>(f.caller(), ours ? changed(e) : new AdminReply.NotLeader(hint)));
    }
    return out;
  }

  /** A snapshot up to {@code index} replaced the log here: the calls below it cannot learn their outcome. */
  List<Answer<T>> snapshotInstalled(long index, Optional<PeerId> hint) {
    appliedIndex = Math.max(appliedIndex, index);
    return notLeader(waiting.coveredBySnapshot(index), hint);
  }

  /** This replica stopped leading: its waiting changes may or may not be applied by the next leader. */
  List<Answer<T>> leadershipLost(Optional<PeerId> hint) {
    return notLeader(waiting.drain(), hint);
  }

  private List<Answer<T>> notLeader(List<PendingCalls.Finished<T>> finished, Optional<PeerId> hint) {
    return finished.stream().map(f -> new Answer<>(f.caller(), (AdminReply) new AdminReply.NotLeader(hint))).toList();
  }

  private static AdminReply changed(LogEntry e) {
    return new AdminReply.Changed(Membership.decode(e.command()), e.index());
  }
}
