package node.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import raft.PeerId;
import raft.core.RaftStatus;

/**
 * Whether a node is ready to serve: every local replica answers its status, knows a leader, and
 * has applied to within {@code maxApplyLag} entries of its commit index. {@code reasons} says what
 * is missing (empty when ready).
 */
public record Readiness(boolean ready, List<String> reasons) {
  public Readiness {
    reasons = List.copyOf(reasons);
  }

  /**
   * @param statuses what the local replicas answered
   * @param local the replicas in this process; empty means every answer counts as local
   */
  public static Readiness of(List<RaftStatus> statuses, Set<PeerId> local, long maxApplyLag) {
    List<String> reasons = new ArrayList<>();
    int seen = 0;
    for (RaftStatus s : statuses) {
      if (!local.isEmpty() && !local.contains(s.id())) continue;
      seen++;
      if (s.leader().isEmpty()) reasons.add("replica " + s.id() + " knows no leader (term " + s.term() + ")");
      long lag = s.commitIndex() - s.appliedIndex();
      if (lag > maxApplyLag) {
        reasons.add("replica " + s.id() + " applied " + s.appliedIndex() + " of commit " + s.commitIndex()
            + " (lag " + lag + " > " + maxApplyLag + ")");
      }
    }
    if (seen == 0) reasons.add("no local replica answered its status");
    else if (!local.isEmpty() && seen < local.size()) reasons.add("only " + seen + " of " + local.size() + " local replicas answered");
    return new Readiness(reasons.isEmpty(), reasons);
  }
}
